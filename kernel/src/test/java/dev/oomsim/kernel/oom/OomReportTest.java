package dev.oomsim.kernel.oom;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.api.Test;

/**
 * What the killer tells its observer (the node agent's kill events): the best candidates with their points, the task
 * really killed with its rss per node, and the lines this OOM printed.
 */
class OomReportTest {

    private static List<OomReport> run(String yaml) {
        Scenario scenario = ScenarioParser.parse(Yaml.tree(yaml));
        ScenarioRunner runner = new ScenarioRunner(scenario);
        List<OomReport> reports = new ArrayList<>();
        runner.oomKiller().setObserver(reports::add);
        for (int i = 0; i < scenario.events().size(); i++) {
            runner.runEvent(i, scenario.events().get(i));
        }
        return reports;
    }

    @Test
    void globalKillReportsCandidatesBestFirstAndTheVictimsRssPerNode() {
        List<OomReport> reports = run("""
                profile: seed
                arch: x86_64
                sysctl: {min_free_kbytes: 1024}
                nodes:
                  - id: 0
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]
                  - id: 1
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]
                tasks:
                  - {pid: 1, comm: init, flags: [global_init], rss: {0: {anon: 100}}}
                  - {pid: 900, comm: java, uid: 1000, rss: {0: {anon: 3000}, 1: {anon: 2000}}, nr_ptes: 10}
                  - {pid: 1000, comm: bash, rss: {1: {anon: 500, file: 100}}, nr_ptes: 2}
                events:
                  - alloc: {pid: 1000, gfp: GFP_KERNEL, order: 0, node: 0}
                """);

        assertThat(reports).hasSize(1);
        OomReport r = reports.get(0);
        assertThat(r.invokingPid()).isEqualTo(1000);
        assertThat(r.invokingComm()).isEqualTo("bash");
        assertThat(r.order()).isZero();
        // init is unkillable; java 5000 rss + 10 ptes; bash 600 + 2
        assertThat(r.candidates()).containsExactly(new OomReport.Candidate(900, "java", 5010),
                new OomReport.Candidate(1000, "bash", 602));
        assertThat(r.victim()).isEqualTo(new OomReport.Victim(900, "java", 1000,
                List.of(new OomReport.NodeRss(0, 3000, 0), new OomReport.NodeRss(1, 2000, 0))));
        assertThat(r.log()).first().isEqualTo("bash invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0");
        assertThat(r.log()).last().isEqualTo("Killed process 900 (java) total-vm:0kB, anon-rss:20000kB, file-rss:0kB");
        assertThat(r.outcome().killed()).containsExactly(900);
    }

    @Test
    void keepsTheTenBestAndPutsTheChosenFirstAmongEqualPoints() {
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            // pids 100..115, rss 100 + 10 * (i / 2): pids 2k and 2k+1 tie; 114 and 115 are the best, at 170
            tasks.append("  - {pid: ").append(100 + i).append(", comm: t").append(i)
                    .append(", rss: {0: {anon: ").append(100 + 10 * (i / 2)).append("}}}\n");
        }
        // modern: select_bad_process takes the later of equal points, so 115 is chosen though 114 was walked first
        OomReport r = run(oneNode("modern", tasks.toString(), "  - may_oom: {pid: 100, gfp: GFP_KERNEL, order: 0}\n"))
                .get(0);

        assertThat(r.outcome().chosen().pid()).isEqualTo(115);
        assertThat(r.candidates()).hasSize(OomReport.MAX_CANDIDATES);
        assertThat(r.candidates()).extracting(OomReport.Candidate::pid).startsWith(115, 114, 112, 113, 110, 111);
        List<Long> points = r.candidates().stream().map(OomReport.Candidate::points).toList();
        assertThat(points).isSortedAccordingTo((x, y) -> Long.compare(y, x)).startsWith(170L, 170L, 160L, 160L);
    }

    @Test
    void noSelectionNoCandidates() {
        List<OomReport> reports = run(oneNode("seed", "  - {pid: 100, comm: hog, rss: {0: {anon: 4000}}}\n",
                "  - may_oom: {pid: 100, gfp: GFP_KERNEL, order: 0}\n").replace("min_free_kbytes: 1024",
                "min_free_kbytes: 1024, oom_kill_allocating_task: 1"));

        assertThat(reports.get(0).candidates()).isEmpty();
        assertThat(reports.get(0).victim().pid()).isEqualTo(100);
    }

    /** A one-node machine of {@code profile} with these task and event lines. */
    private static String oneNode(String profile, String tasks, String events) {
        return "profile: " + profile + """

                arch: x86_64
                sysctl: {min_free_kbytes: 1024}
                nodes:
                  - id: 0
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]
                tasks:
                """ + tasks + "events:\n" + events;
    }
}
