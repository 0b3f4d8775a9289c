package dev.oomsim.agent.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.schemas.MemoryCall;
import dev.oomsim.schemas.MemoryReply;
import dev.oomsim.schemas.NodeRss;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskEventKind;
import dev.oomsim.schemas.TaskStatus;
import dev.oomsim.service.RejectReason;
import org.junit.jupiter.api.Test;

/**
 * Two agents' copies of a two-node machine ({@link TaskEventMapperTest#twoNodes()}) apply the same task-events
 * records: the same task tables, each node's pages loaded and released by its own agent, and every bad record reported
 * by exactly one of them.
 */
class TaskEventApplierTest {

    static {
        // Avro trusts our generated classes once their serdes load (as they do in an agent before any record).
        dev.oomsim.schemas.topics.Topics.defaults(1).taskEvents().valueSerde();
    }

    /** One agent's copy: its own node's memory local, the other node's as the agent has it (loads nothing there). */
    private static final class Agent {
        final int node;
        final ScenarioRunner runner;
        final Machine machine;
        final Map<Integer, Mm> mms = new HashMap<>();
        final TaskTableSync sync;
        final TaskEventApplier applier;
        final List<RejectReason> rejected = new ArrayList<>();
        private long offset;

        Agent(int node) throws Exception {
            this.node = node;
            this.runner = new ScenarioRunner(TaskEventMapperTest.twoNodes(),
                    (n, local) -> n.id() == node ? local : new RemoteNodeMemory(n, new NoCalls()));
            this.machine = runner.machine();
            this.sync = new TaskTableSync(machine.tasks(), machine.memory(node));
            this.applier = new TaskEventApplier(node, runner, mms, sync);
        }

        void apply(TaskEvent e) {
            applier.apply(e, offset++, rejected::add);
        }

        long free() {
            return machine.zone(node, 2).freePages();
        }

        long rss(int pid) {
            Mm mm = runner.mm(pid);
            return machine.memory(node).anonPages(mm) + machine.memory(node).filePages(mm);
        }

        List<TaskStatus> table() {
            return machine.tasks().all().stream().map(TaskTableSync::status).toList();
        }
    }

    private static TaskEvent spawn(int pid, NodeRss... rss) {
        return TaskEvent.newBuilder().setPid(pid).setKind(TaskEventKind.SPAWN).setComm("t" + pid).setMmId(pid)
                .setRss(List.of(rss)).setNrPtes(5).build();
    }

    private static TaskEvent event(int pid, TaskEventKind kind) {
        return TaskEvent.newBuilder().setPid(pid).setKind(kind).build();
    }

    private static void both(List<Agent> agents, TaskEvent e) {
        agents.forEach(a -> a.apply(e));
    }

    @Test
    void aSpawnJoinsEveryTableAndEachAgentLoadsItsOwnNodesPagesAsBootDoes() throws Exception {
        List<Agent> agents = List.of(new Agent(0), new Agent(1));

        both(agents, spawn(500, new NodeRss(0, 300L, 20L), new NodeRss(1, 200L, 0L)));
        both(agents, TaskEvent.newBuilder(spawn(501)).setTgid(500).setParent(500).setNrPtes(0).build());

        Agent a0 = agents.get(0);
        Agent a1 = agents.get(1);
        assertThat(a0.table()).isEqualTo(a1.table()).extracting(TaskStatus::getPid).containsExactly(1, 2, 500, 501);
        assertThat(a0.rss(500)).isEqualTo(320);
        assertThat(a1.rss(500)).isEqualTo(200);
        assertThat(a0.free()).as("boot-time pages are not free pages").isEqualTo(8);
        assertThat(a0.mms).as("other nodes' calls find the mm by id").containsKey(500);
        assertThat(a0.machine.tasks().get(500).children()).containsExactly(501);
        assertThat(a0.rejected).isEmpty();
        assertThat(a1.rejected).isEmpty();
        assertThat(a0.applier.appliedEnd()).isEqualTo(2);
    }

    @Test
    void anExitReleasesTheGroupsPagesOnEveryNodeThroughItsOwnAgent() throws Exception {
        List<Agent> agents = List.of(new Agent(0), new Agent(1));
        both(agents, spawn(500, new NodeRss(0, 300L, 0L), new NodeRss(1, 200L, 0L)));
        both(agents, TaskEvent.newBuilder(spawn(501)).setTgid(500).setMmId(500).setNrPtes(0).build());
        agents.get(0).machine.tasks().get(500).set(TaskFlag.MEMDIE, true);
        agents.get(0).sync.heardByAll(agents.get(0).machine.tasks().get(500));

        both(agents, event(501, TaskEventKind.EXIT));

        assertThat(agents.get(0).free()).isEqualTo(8 + 300);
        assertThat(agents.get(1).free()).isEqualTo(8 + 200);
        for (Agent a : agents) {
            assertThat(a.machine.tasks().get(500).alive()).isFalse();
            assertThat(a.machine.tasks().get(501).alive()).isFalse();
            assertThat(a.machine.tasks().get(500).has(TaskFlag.MEMDIE)).isFalse();
            assertThat(a.sync.drainChanges()).as("every node made the change itself: nothing to send").isEmpty();
        }
        assertThat(agents.get(0).table()).isEqualTo(agents.get(1).table());
    }

    @Test
    void anAdjChangeIsTheSetEventOnEveryLiveThread() throws Exception {
        List<Agent> agents = List.of(new Agent(0), new Agent(1));
        both(agents, spawn(500));
        both(agents, TaskEvent.newBuilder(spawn(501)).setTgid(500).setMmId(500).setNrPtes(0).build());

        both(agents, TaskEvent.newBuilder(event(501, TaskEventKind.ADJ_CHANGE)).setOomScoreAdj(-700).build());

        for (Agent a : agents) {
            assertThat(a.machine.tasks().get(500).oomScoreAdj()).isEqualTo(-700);
            assertThat(a.machine.tasks().get(501).oomScoreAdj()).isEqualTo(-700);
            assertThat(a.sync.drainChanges()).isEmpty();
        }
    }

    @Test
    void badRecordsAreReportedOnceByNodeZeroAndChangeNothing() throws Exception {
        List<Agent> agents = List.of(new Agent(0), new Agent(1));
        both(agents, spawn(500, new NodeRss(1, 10L, 0L)));
        List<TaskStatus> before = agents.get(1).table();

        both(agents, spawn(500));
        both(agents, event(4242, TaskEventKind.EXIT));
        both(agents, TaskEvent.newBuilder(event(500, TaskEventKind.ADJ_CHANGE)).setOomScoreAdj(1001).build());
        both(agents, event(4243, TaskEventKind.ADJ_CHANGE));
        both(agents, TaskEvent.newBuilder(event(500, TaskEventKind.RSS)).setRss(List.of(new NodeRss(5, 1L, 0L)))
                .build());

        assertThat(agents.get(0).rejected).extracting(RejectReason::message).containsExactly(
                "duplicate pid 500: the task table already has pid 500 (t500); pids are not reused",
                "unknown pid 4242",
                "oom_score_adj 1001 is outside -1000..1000",
                "unknown pid 4243",
                "RSS of pid 500: rss of node 5: the machine has nodes 0..1");
        assertThat(agents.get(0).rejected).extracting(r -> r.category().label())
                .containsExactly("duplicate-pid", "unknown-pid", "invalid-adj", "unknown-pid", "invalid-rss");
        assertThat(agents.get(1).rejected).isEmpty();
        assertThat(agents.get(1).table()).isEqualTo(before).isEqualTo(agents.get(0).table());
        assertThat(agents.get(1).rss(500)).isEqualTo(10);

        both(agents, event(500, TaskEventKind.EXIT));
        both(agents, event(500, TaskEventKind.EXIT));
        assertThat(agents.get(0).rejected).last().extracting(RejectReason::message).isEqualTo("pid 500 has exited");
        assertThat(agents.get(1).rejected).isEmpty();
    }

    @Test
    void pagesThatDoNotFitOnANodeAreReportedByThatNodesAgentAndTheTaskStillJoinsEveryTable() throws Exception {
        List<Agent> agents = List.of(new Agent(0), new Agent(1));

        both(agents, spawn(500, new NodeRss(0, 300L, 0L), new NodeRss(1, 5000L, 0L)));

        assertThat(agents.get(0).rejected).isEmpty();
        assertThat(agents.get(1).rejected).singleElement().satisfies(r -> {
            assertThat(r.category().label()).isEqualTo("rss-unavailable");
            assertThat(r.message())
                    .isEqualTo("node 1 cannot load the pages of pid 500 (SPAWN of pid 500 (task-events offset"
                    + " 0)): zone node 1 NORMAL: tasks hold 5000 pages but only 4088 are not free");
        });
        assertThat(agents.get(0).table()).isEqualTo(agents.get(1).table());
        assertThat(agents.get(0).rss(500)).isEqualTo(300);
        assertThat(agents.get(1).rss(500)).isZero();
    }

    @Test
    void anRssReportGrowsTheReportingNodesPagesAsBootLoadsThemAndCannotShrinkThem() throws Exception {
        List<Agent> agents = List.of(new Agent(0), new Agent(1));
        both(agents, spawn(500, new NodeRss(0, 300L, 0L), new NodeRss(1, 200L, 0L)));

        both(agents, TaskEvent.newBuilder(event(500, TaskEventKind.RSS)).setRss(List.of(new NodeRss(1, 250L, 40L)))
                .build());

        assertThat(agents.get(0).rss(500)).as("another node's report is information here").isEqualTo(300);
        assertThat(agents.get(1).rss(500)).isEqualTo(290);
        assertThat(agents.get(1).free()).isEqualTo(8);

        both(agents, TaskEvent.newBuilder(event(500, TaskEventKind.RSS)).setRss(List.of(new NodeRss(0, 100L, 0L)))
                .build());
        assertThat(agents.get(0).rss(500)).isEqualTo(300);
        assertThat(agents.get(0).rejected).extracting(r -> r.category().label()).containsExactly("rss-shrink");
        assertThat(agents.get(1).rejected).isEmpty();

        both(agents, event(500, TaskEventKind.EXIT));
        assertThat(agents.get(1).free()).isEqualTo(8 + 290);
    }

    @Test
    void aTaskSyncSentBeforeItsSenderSawATaskEventLeavesTheEventsChangeOnTop() throws Exception {
        List<Agent> agents = List.of(new Agent(0), new Agent(1));
        both(agents, spawn(500));
        Agent sender = agents.get(0);
        Agent receiver = agents.get(1);
        // The sender's request signals pid 500 at stamp 1; the receiver has meanwhile applied an adj change (offset 1).
        Task there = sender.machine.tasks().get(500);
        there.set(TaskFlag.OOM_ORIGIN, true);
        List<TaskStatus> sent = sender.sync.drainChanges();
        receiver.apply(TaskEvent.newBuilder(event(500, TaskEventKind.ADJ_CHANGE)).setOomScoreAdj(800).build());

        receiver.sync.apply(sent, "test");
        receiver.applier.rebase(sent, 1);
        sender.apply(TaskEvent.newBuilder(event(500, TaskEventKind.ADJ_CHANGE)).setOomScoreAdj(800).build());

        assertThat(receiver.table()).isEqualTo(sender.table());
        assertThat(receiver.machine.tasks().get(500).oomScoreAdj()).isEqualTo(800);
        assertThat(receiver.machine.tasks().get(500).has(TaskFlag.OOM_ORIGIN)).isTrue();
        assertThat(receiver.sync.drainChanges()).isEmpty();
    }

    @Test
    void aKillSyncCrossingAnExitEndsWithTheSameDeadTaskEverywhere() throws Exception {
        List<Agent> agents = List.of(new Agent(0), new Agent(1));
        both(agents, spawn(500, new NodeRss(1, 200L, 0L)));
        Agent killer = agents.get(0);
        Agent other = agents.get(1);
        // The killer's request marks pid 500 an OOM victim at stamp 1; the other agent applies the EXIT (offset 1)
        // first.
        Task victim = killer.machine.tasks().get(500);
        victim.sendSigkill();
        victim.set(TaskFlag.MEMDIE, true);
        victim.setKilled();
        List<TaskStatus> sent = killer.sync.drainChanges();
        other.apply(event(500, TaskEventKind.EXIT));

        other.sync.apply(sent, "test");
        other.applier.rebase(sent, 1);
        killer.apply(event(500, TaskEventKind.EXIT));

        assertThat(other.table()).isEqualTo(killer.table());
        assertThat(other.machine.tasks().get(500).has(TaskFlag.MEMDIE)).isFalse();
        assertThat(other.machine.tasks().get(500).killed()).isTrue();
        assertThat(other.free()).isEqualTo(8 + 200);
    }

    @Test
    void pagesAnRssReportLoadedBetweenAKillsReleaseAndItsTaskSyncGoBackWithTheMm() throws Exception {
        Agent other = new Agent(1);
        other.apply(spawn(500, new NodeRss(1, 200L, 0L)));
        Task victim = other.machine.tasks().get(500);
        TaskStatus exited = TaskStatus.newBuilder(TaskTableSync.status(victim)).setAlive(false).setKilled(true)
                .setHasMm(false).build();

        other.machine.memory(1).releaseMm(victim.mm()); // the killer's RELEASE_MM, served
        other.apply(TaskEvent.newBuilder(event(500, TaskEventKind.RSS)).setRss(List.of(new NodeRss(1, 300L, 0L)))
                .build());
        other.sync.apply(List.of(exited), "kill");

        assertThat(other.free()).isEqualTo(8 + 200 + 300);
        assertThat(other.rss(500)).isZero();
    }

    /** Another node reached outside a request: applying a task event never does. */
    private static final class NoCalls implements RemoteNodeMemory.Calls {
        @Override
        public MemoryReply call(int node, MemoryCall.Builder call) {
            throw new AssertionError("a task event called node " + node + ": " + call.getOp());
        }

        @Override
        public void send(int node, MemoryCall.Builder call) {
            throw new AssertionError("a task event sent to node " + node + ": " + call.getOp());
        }

        @Override
        public long killTokenOfTask(int pid) {
            return -1;
        }

        @Override
        public long killTokenOfMm(int mm) {
            return -1;
        }

        @Override
        public long stops() {
            return 0;
        }
    }
}
