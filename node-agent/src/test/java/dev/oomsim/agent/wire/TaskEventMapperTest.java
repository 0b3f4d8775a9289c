package dev.oomsim.agent.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Mempolicy;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.schemas.NodeRss;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskEventKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A SPAWN record becomes the task boot would load for the same machine-file entry, or a reason it cannot. */
public class TaskEventMapperTest {

    static {
        // Avro trusts our generated classes once their serdes load (as they do in an agent before any record).
        dev.oomsim.schemas.topics.Topics.defaults(1).taskEvents().valueSerde();
    }

    /**
     * Two nodes below their min watermarks, a cpuset on node 1, init and a kernel thread (TaskEventApplierTest too).
     */
    public static Scenario twoNodes() throws Exception {
        return ScenarioParser.parse(new ObjectMapper(new YAMLFactory()).readValue("""
                nodes:
                  - id: 0
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]
                  - id: 1
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]
                cpusets:
                  - {name: /jobs, mems: [1]}
                tasks:
                  - {pid: 1, comm: init, flags: [global_init], rss: {0: {anon: 100}}}
                  - {pid: 2, comm: kthreadd, flags: [kthread]}
                """, Object.class));
    }

    private static ScenarioRunner machine() throws Exception {
        return new ScenarioRunner(twoNodes());
    }

    static TaskEvent.Builder spawn(int pid) {
        return TaskEvent.newBuilder().setPid(pid).setKind(TaskEventKind.SPAWN).setComm("t" + pid).setMmId(pid);
    }

    @Test
    void aSpawnCarriesEveryFieldOfTheRecord() throws Exception {
        TaskEvent e = spawn(500).setComm("a-very-long-command-name").setUid(1000).setParent(1).setOomScoreAdj(300)
                .setCapSysAdmin(true).setCpuset("/jobs").setMemsAllowed(List.of(1)).setMempolicy("bind:[1]")
                .setFlags(List.of(dev.oomsim.schemas.TaskFlag.OOM_ORIGIN))
                .setRss(List.of(new NodeRss(1, 200L, 10L), new NodeRss(0, 5L, 0L)))
                .setSwapents(3).setNrPtes(4).setNrPmds(5).setTotalVm(6000).setShmemPages(7).build();

        Scenario.TaskSpec ts = TaskEventMapper.spawn(e, machine());

        assertThat(ts.comm()).as("task->comm keeps 15 characters").isEqualTo("a-very-long-com");
        assertThat(ts.pid()).isEqualTo(500);
        assertThat(ts.tgid()).isEqualTo(500);
        assertThat(ts.mm()).isEqualTo(500);
        assertThat(ts.uid()).isEqualTo(1000);
        assertThat(ts.parent()).isEqualTo(1);
        assertThat(ts.oomScoreAdj()).isEqualTo(300);
        assertThat(ts.capSysAdmin()).isTrue();
        assertThat(ts.cpuset()).isEqualTo("/jobs");
        assertThat(ts.mempolicy().mode()).isEqualTo(Mempolicy.Mode.BIND);
        assertThat(ts.flags()).containsExactly(TaskFlag.OOM_ORIGIN);
        assertThat(ts.rss()).as("by node").containsExactly(new Scenario.RssSpec(0, null, 5, 0),
                new Scenario.RssSpec(1, null, 200, 10));
        assertThat(List.of(ts.swapents(), ts.nrPtes(), ts.nrPmds(), ts.totalVmPages(), ts.shmemPages()))
                .containsExactly(3L, 4L, 5L, 6000L, 7L);
        assertThat(ts.memcg()).isNull();
    }

    @Test
    void aTaskWithoutAnMmIsANoMmTaskUnlessItIsAKernelThread() throws Exception {
        assertThat(TaskEventMapper.spawn(spawn(500).setMmId(null).build(), machine()).flags())
                .containsExactly(TaskFlag.NO_MM);
        assertThat(TaskEventMapper.spawn(spawn(501).setMmId(null).setParent(2)
                .setFlags(List.of(dev.oomsim.schemas.TaskFlag.KTHREAD)).build(), machine()).flags())
                .containsExactly(TaskFlag.KTHREAD);
    }

    @Test
    void aThreadSharesItsLeadersMm() throws Exception {
        Scenario.TaskSpec ts = TaskEventMapper.spawn(spawn(101).setTgid(1).setMmId(1).build(), machine());
        assertThat(ts.tgid()).isEqualTo(1);
        assertThat(ts.mm()).isEqualTo(1);
    }

    static List<Arguments> badSpawns() {
        return List.of(
                bad("duplicate-pid", "duplicate pid 1: the task table already has pid 1 (init); pids are not reused",
                        b -> b.setPid(1)),
                bad("invalid-spawn", "SPAWN of pid 0: pid must be > 0", b -> b.setPid(0)),
                bad("invalid-spawn", "SPAWN of pid 500: comm is empty", b -> b.setComm("")),
                bad("invalid-spawn", "SPAWN of pid 500: thread group leader 77 is not in the task table",
                        b -> b.setTgid(77)),
                bad("invalid-spawn", "SPAWN of pid 500: parent 77 is not in the task table", b -> b.setParent(77)),
                bad("invalid-spawn", "SPAWN of pid 500: oom_score_adj 1001 is outside -1000..1000",
                        b -> b.setOomScoreAdj(1001)),
                bad("invalid-spawn",
                        "SPAWN of pid 500: mm 2 is not an mm of the task table (an mm id is the pid of the task"
                        + " that owns it)", b -> b.setMmId(2)),
                bad("invalid-spawn",
                        "SPAWN of pid 500: a task sharing mm 1 leaves rss, swapents, nrPtes, nrPmds, totalVm and"
                        + " shmemPages to the mm's owner", b -> b.setMmId(1).setNrPtes(3)),
                bad("invalid-spawn",
                        "SPAWN of pid 500: a task sharing mm 1 leaves rss, swapents, nrPtes, nrPmds, totalVm and"
                        + " shmemPages to the mm's owner", b -> b.setMmId(1).setShmemPages(3)),
                bad("invalid-spawn", "SPAWN of pid 500: swapents, nrPtes, nrPmds, totalVm and shmemPages must be >= 0,"
                        + " got -3", b -> b.setShmemPages(-3)),
                bad("invalid-spawn", "SPAWN of pid 500: a kernel thread or no_mm task has no mm, but mmId is 500",
                        b -> b.setFlags(List.of(dev.oomsim.schemas.TaskFlag.KTHREAD))),
                bad("invalid-spawn", "SPAWN of pid 500: a task without an mm holds no user pages",
                        b -> b.setMmId(null).setRss(List.of(new NodeRss(0, 1L, 0L)))),
                bad("invalid-spawn", "SPAWN of pid 500: unknown cpuset /web", b -> b.setCpuset("/web")),
                bad("invalid-spawn", "SPAWN of pid 500: mems_allowed [0] is not cpuset /jobs's mems [1] (a task's"
                        + " mems_allowed is its cpuset's)", b -> b.setCpuset("/jobs").setMemsAllowed(List.of(0))),
                bad("invalid-spawn", "SPAWN of pid 500: mems_allowed [7] names node 7, not a node of the machine",
                        b -> b.setMemsAllowed(List.of(7))),
                bad("invalid-spawn", "SPAWN of pid 500: mempolicy: node 3 does not exist",
                        b -> b.setMempolicy("interleave:[0,3]")),
                bad("invalid-spawn",
                        "SPAWN of pid 500: flag MEMALLOC_NOIO is a flag of an allocation request, not of a task",
                        b -> b.setFlags(List.of(dev.oomsim.schemas.TaskFlag.MEMALLOC_NOIO))),
                bad("invalid-spawn", "SPAWN of pid 500: rss of node 2: the machine has nodes 0..1",
                        b -> b.setRss(List.of(new NodeRss(2, 1L, 0L)))),
                bad("invalid-spawn", "SPAWN of pid 500: rss of node 0 is given twice",
                        b -> b.setRss(List.of(new NodeRss(0, 1L, 0L), new NodeRss(0, 2L, 0L)))),
                bad("invalid-spawn", "SPAWN of pid 500: rss of node 0: anon -1, file 0 (must be >= 0)",
                        b -> b.setRss(List.of(new NodeRss(0, -1L, 0L)))),
                bad("invalid-spawn", "SPAWN of pid 500: swapents, nrPtes, nrPmds, totalVm and shmemPages must be >= 0,"
                        + " got -4",
                        b -> b.setTotalVm(-4)));
    }

    private static Arguments bad(String category, String message, UnaryOperator<TaskEvent.Builder> change) {
        return Arguments.of(category, message, change);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badSpawns")
    void aBadSpawnIsRejectedWithItsReason(String category, String message, UnaryOperator<TaskEvent.Builder> change)
            throws Exception {
        TaskEvent e = change.apply(spawn(500)).build();
        assertThatThrownBy(() -> TaskEventMapper.spawn(e, machine())).isInstanceOf(Rejected.class)
                .hasMessage(message)
                .satisfies(x -> assertThat(((Rejected) x).reason().category().label()).isEqualTo(category));
    }
}
