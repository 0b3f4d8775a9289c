package dev.oomsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    @Test
    void memcgReportAsJsonCarriesBothCapabilityOutcomesAndTheUnrecognisedLine() throws IOException {
        SimulateCommandTest.Result r = SimulateCommandTest.oomsim("explain", "--json",
                REPORTS.resolve("go-blog-4.4-x86_64-memcg-docker.txt").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines()).hasSize(1);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.at("/kernel/victim").asInt()).isEqualTo(11344);
        assertThat(j.at("/kernel/score").asLong()).isEqualTo(904L);
        assertThat(j.at("/model/victim").asInt()).isEqualTo(11344);
        assertThat(j.at("/model/score").asLong()).isEqualTo(904L);
        assertThat(j.at("/model/constraint").asText()).isEqualTo("CONSTRAINT_MEMCG");
        assertThat(j.at("/model/totalpages").asLong()).isEqualTo(51200L);
        assertThat(j.at("/model_root_cap_sys_admin/score").asLong()).isEqualTo(877L);
        assertThat(j.at("/cap_sys_admin_decides").asBoolean()).isTrue();
        assertThat(j.at("/matches_kernel").asBoolean()).isTrue();
        assertThat(j.at("/unrecognised_lines/0/line").asInt()).isEqualTo(30);
        assertThat(j.at("/watermarks")).isEmpty();
    }

    @Test
    void whatIfsOnTheOrder2ReportMoveTheKillDownTheList() throws IOException {
        String tetsuo = REPORTS.resolve("tetsuo-4.5-x86_64-order-2.txt").toString();
        SimulateCommandTest.Result r = SimulateCommandTest.oomsim("explain", tetsuo, "--kill", "15286", "--set",
                "1821.oom_score_adj=-1000", "--profile", "modern", "--add-swap", "1000", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.at("/model/victim").asInt()).isEqualTo(15286);
        JsonNode w = j.at("/what_if");
        assertThat(w.at("/what_if").asText())
                .isEqualTo("--set 1821.oom_score_adj=-1000 --kill 15286 --profile modern --add-swap 1000");
        assertThat(w.at("/profile").asText()).isEqualTo("modern");
        // genxref gone, firewalld unkillable: tuned (3351 rss + 95 page tables) is next; no root bonus in modern
        assertThat(w.at("/model/victim").asInt()).isEqualTo(2704);
        assertThat(w.at("/model/comm").asText()).isEqualTo("tuned");
        assertThat(w.at("/model/totalpages").asLong()).isEqualTo(443846L + 1000L);
        assertThat(w.at("/model/score").asLong()).isEqualTo(3446L * 1000 / 444846L);
        assertThat(w.has("model_root_cap_sys_admin")).isFalse();
        assertThat(w.at("/skipped_above_victim/0/pid").asInt()).isEqualTo(1821);
    }

    @Test
    void everyStoredReportFileIsExplainedOrNamesWhatItLacks() {
        SimulateCommandTest.Result memcg = SimulateCommandTest.oomsim("explain",
                REPORTS.resolve("chrisdown-6.7-x86_64-memcg-v2.txt").toString());
        assertThat(memcg.exit()).as(memcg.err()).isZero();
        assertThat(memcg.out()).contains("kernel: killed 128825")
                .contains("model: kills 128825 (rsync) points 2672 score 326, CONSTRAINT_MEMCG")
                .contains("1 report(s), 108 lines, 1 outside any report");
        SimulateCommandTest.Result i386 = SimulateCommandTest.oomsim("explain",
                REPORTS.resolve("machek-5.7-i386-highmem-pagefault.txt").toString(), "--set", "5889.oom_score_adj=0");
        assertThat(i386.exit()).as(i386.err()).isZero();
        assertThat(i386.out()).contains("model: kills 5889 (chromium) points 416820 score 325")
                .contains("--- what if --set 5889.oom_score_adj=0:")
                .contains("model: kills 14782 (chromium) points 416091 score 325");
        SimulateCommandTest.Result cut = SimulateCommandTest.oomsim("explain",
                REPORTS.resolve("chinner-4.0-x86_64-cut-zone-lines.txt").toString());
        assertThat(cut.exit()).as(cut.err()).isZero();
        assertThat(cut.out()).contains("kernel: killed 4342 score 803")
                .contains("model, uid-0 tasks with CAP_SYS_ADMIN: kills 4342 (resvtest) points 302243 score 803")
                .contains("note: zone sizes not printed");
        SimulateCommandTest.Result noTable = SimulateCommandTest.oomsim("explain",
                REPORTS.resolve("fengtang-5.8-x86_64-cpuset-movable-node.txt").toString());
        assertThat(noTable.exit()).isEqualTo(2);
        assertThat(noTable.err()).contains("lacks pages RAM / pages reserved lines; task table header");
    }

    @Test
    void emittingTheScenarioOfAMemcgReportSaysSimulateWillNotReplayItsDecision(@TempDir Path dir) {
        Path scenario = dir.resolve("rebuilt.yaml");
        SimulateCommandTest.Result r = SimulateCommandTest.oomsim("explain",
                REPORTS.resolve("go-blog-4.4-x86_64-memcg-docker.txt").toString(), "--emit-scenario",
                scenario.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(scenario).exists();
        assertThat(r.err()).contains("the kernel's decision here was mem_cgroup_out_of_memory on /docker/34186d9b")
                .contains("which simulate does not replay");
    }
}
