package dev.oomsim.kernel.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.Zone;
import dev.oomsim.kernel.task.Mempolicy;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import org.junit.jupiter.api.Test;

/** A task spawned after boot joins the machine exactly as the machine file's tasks do at boot. */
class SpawnTest {

    private static final String TWO_NODES = """
            sysctl: {min_free_kbytes: 128}
            nodes:
              - {id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8, reclaimable_pages: 1000}]}
              - {id: 1, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}
            tasks:
              - {pid: 1, comm: init, flags: [global_init], rss: {0: {anon: 100}}}
            """;

    private static Scenario.TaskSpec spec(int pid, int tgid, int parent, int mm, List<Scenario.RssSpec> rss,
            TaskFlag... flags) {
        return new Scenario.TaskSpec(pid, tgid, "t" + pid, 0, parent, mm, rss, 0, 7, 0, 900, 0, 0, false, "/",
                Mempolicy.DEFAULT, null, Set.of(flags));
    }

    /** free + held by tasks + reserved = managed, in zone {@code z}. */
    private static long accounted(Zone z, long heldPages) {
        return z.freePages() + heldPages + z.reservedPages();
    }

    @Test
    void aSpawnedTaskTakesReservedPagesAsBootDoesAndJoinsTheTableAtTheEnd() {
        ScenarioRunner runner = Yaml.boot(TWO_NODES);
        Machine m = runner.machine();
        long free0 = m.zone(0, 2).freePages();

        Task t = runner.spawn(spec(500, 500, 1, 500, List.of(new Scenario.RssSpec(0, null, 300, 20),
                new Scenario.RssSpec(1, null, 200, 0))), "spawn");
        Task thread = runner.spawn(spec(501, 500, 1, 500, List.of()), "spawn-thread");

        assertThat(m.tasks().all()).extracting(Task::pid).containsExactly(1, 500, 501);
        assertThat(m.tasks().get(1).children()).containsExactly(500, 501);
        assertThat(thread.mm()).isSameAs(t.mm()).isSameAs(runner.mm(500));
        assertThat(t.mm().nrPtes()).isEqualTo(7);
        assertThat(m.anonPages(t.mm())).isEqualTo(500);
        assertThat(m.filePages(t.mm())).isEqualTo(20);
        assertThat(m.zone(0, 2).freePages()).as("boot-time pages are not free pages").isEqualTo(free0);
        assertThat(accounted(m.zone(0, 2), 100 + 320)).isEqualTo(4096);
        assertThat(accounted(m.zone(1, 2), 200)).isEqualTo(4096);

        m.exitTask(t);
        assertThat(m.zone(0, 2).freePages()).isEqualTo(free0 + 320);
        assertThat(m.zone(1, 2).freePages()).isEqualTo(8 + 200);
    }

    @Test
    void aTaskSpawnedAfterReclaimNeverTakesTheReclaimedPagesAgain() {
        ScenarioRunner runner = Yaml.boot(TWO_NODES);
        Machine m = runner.machine();
        assertThat(m.memory(0).reclaimZone(2, 1000)).isEqualTo(1000);

        Task t = runner.spawn(spec(500, 500, 0, 500, List.of(new Scenario.RssSpec(0, null, 500, 0))), "spawn");
        assertThat(accounted(m.zone(0, 2), 100 + 500)).isEqualTo(4096);

        m.exitTask(t);
        assertThat(m.zone(0, 2).freePages()).isEqualTo(8 + 1000 + 500);
        assertThat(accounted(m.zone(0, 2), 100)).isEqualTo(4096);
    }

    @Test
    void aSpawnWhosePagesDoNotFitStaysInTheTableWithoutThem() {
        ScenarioRunner runner = Yaml.boot(TWO_NODES);

        assertThatThrownBy(() -> runner.spawn(spec(500, 500, 0, 500, List.of(new Scenario.RssSpec(1, null, 5000, 0))),
                "spawn"))
                .isInstanceOf(ScenarioException.class)
                .hasMessage("spawn.rss.1: zone node 1 NORMAL: tasks hold 5000 pages but only 4088 are not free");
        assertThat(runner.machine().tasks().get(500).alive()).isTrue();
        assertThat(runner.machine().anonPages(runner.mm(500))).isZero();
    }

    @Test
    void anExitOnOneNodeReleasesOnlyThatNodesPages() {
        ScenarioRunner runner = Yaml.boot(TWO_NODES);
        Machine m = runner.machine();
        Task t = runner.spawn(spec(500, 500, 0, 500, List.of(new Scenario.RssSpec(0, null, 300, 0),
                new Scenario.RssSpec(1, null, 200, 0))), "spawn");
        t.set(TaskFlag.MEMDIE, true);

        m.exitTaskOn(1, t);

        assertThat(t.alive()).isFalse();
        assertThat(t.has(TaskFlag.MEMDIE)).isFalse();
        assertThat(t.mm()).isNull();
        assertThat(m.zone(1, 2).freePages()).isEqualTo(8 + 200);
        assertThat(m.zone(0, 2).freePages()).as("node 0 releases its own").isEqualTo(8);
    }

    @Test
    void theMempolicyTextParsesAsInAScenarioFile() {
        assertThat(ScenarioParser.parseMempolicy("interleave:[0,1]", "p", 2).nodes().nodes()).containsExactly(0, 1);
        assertThatThrownBy(() -> ScenarioParser.parseMempolicy("bind:[2]", "spawn.mempolicy", 2))
                .hasMessage("spawn.mempolicy: node 2 does not exist");
        assertThatThrownBy(() -> ScenarioParser.parseMempolicy("sometimes", "p", 2))
                .isInstanceOf(ScenarioException.class);
    }
}
