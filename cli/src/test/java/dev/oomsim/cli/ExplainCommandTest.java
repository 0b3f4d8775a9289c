package dev.oomsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code oomsim explain} on the real reports stored in oom-report (their sources: reports/README.md there). */
class ExplainCommandTest {

    private static final Path REPORTS = Path.of("..", "oom-report", "src", "test", "resources", "reports");
    private static final String RHEL7 = REPORTS.resolve("rhel7-3.10-x86_64-2-nodes.txt").toString();

    @Test
    void rhel7ReportIsRebuiltToTheKernelsVictimAndScoreWithItsPointsBrokenDown() {
        SimulateCommandTest.Result r = SimulateCommandTest.oomsim("explain", RHEL7);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("kernel: killed 6576 score 651")
                .contains("model: kills 6576 (mysqld) points 6700394 score 651, CONSTRAINT_NONE")
                .contains("the model reaches the kernel's decision")
                .contains("totalpages: model 10283998, report (RAM − reserved) + swap 10283998")
                .contains("6576 mysqld           points 6700394 score 651 = 5157063 + 1527848 + 15483 + 0 + 0")
                .contains("Node 0 Normal  free 9173, needs > 13794: short by 4622")
                .contains("1 report(s), 140 lines, 0 outside any report");
    }

    @Test
    void whatIfIsShownBesideTheOriginalAndNamesTheSkippedTask() {
        SimulateCommandTest.Result r = SimulateCommandTest.oomsim("explain", RHEL7, "--set",
                "6576.oom_score_adj=-1000");
        assertThat(r.exit()).as(r.err()).isZero();
        String[] halves = r.out().split("--- what if --set 6576.oom_score_adj=-1000:\n");
        assertThat(halves).hasSize(2);
        assertThat(halves[0]).contains("model: kills 6576 (mysqld)");
        assertThat(halves[1])
                .contains("model: kills 27502 (java) points 2949299 score 286")
                .contains("6576 mysqld           6700394 pages: oom_score_adj -1000: unkillable")
                .contains("with the change the decision differs from the kernel's");
    }

    @Test
    void jsonGivesOneObjectPerReport() {
        SimulateCommandTest.Result r = SimulateCommandTest.oomsim("explain", "--json", RHEL7);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines()).hasSize(1);
        assertThat(r.out()).startsWith("{").contains("6576");
    }

    @Test
    void emittedScenarioRunsThroughSimulateToTheSameVictim(@TempDir Path dir) throws IOException {
        Path scenario = dir.resolve("rebuilt.yaml");
        SimulateCommandTest.Result r = SimulateCommandTest.oomsim("explain", RHEL7, "--emit-scenario",
                scenario.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readString(scenario)).startsWith("# Rebuilt by oomsim explain from");
        SimulateCommandTest.Result sim = SimulateCommandTest.oomsim("simulate", scenario.toString());
        assertThat(sim.exit()).as(sim.err()).isZero();
        assertThat(sim.out()).contains("Out of memory: Kill process 6576 (mysqld) score 651 or sacrifice child");
    }

    @Test
    void severalReportsInOneFileAreEachRebuilt(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("kern.log");
        Files.writeString(log, Files.readString(Path.of(RHEL7))
                + Files.readString(REPORTS.resolve("ubuntu-5.13-x86_64-sysrq.txt")));
        SimulateCommandTest.Result r = SimulateCommandTest.oomsim("explain", log.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("report at line 1: sed invoked oom-killer, gfp_mask=0x201da order=0")
                .contains("model: kills 6576 (mysqld) points 6700394 score 651")
                .contains("report at line 141: kworker/0:2 invoked oom-killer, gfp_mask=0xcc0 order=-1")
                .contains("model: kills 651 (unattended-upgr) points 5258 score 10")
                .contains("2 report(s), 209 lines, 0 outside any report");
    }

    @Test
    void badWhatIfAndFilesWithoutAReportExitTwoNamingWhatToFix(@TempDir Path dir) throws IOException {
        SimulateCommandTest.Result bad = SimulateCommandTest.oomsim("explain", "--set", "6576=5", RHEL7);
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--set 6576=5: expected PID.oom_score_adj=N");
        Path empty = dir.resolve("messages");
        Files.writeString(empty, "kernel: eth0: link up\nkernel: eth0: link down\n");
        SimulateCommandTest.Result none = SimulateCommandTest.oomsim("explain", empty.toString());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("no OOM report (no 'invoked oom-killer' line in 2 lines)");
        assertThat(none.out()).isEmpty();
    }
}
