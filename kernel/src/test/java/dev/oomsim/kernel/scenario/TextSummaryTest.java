package dev.oomsim.kernel.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;

class TextSummaryTest {

    @Test
    void summaryShowsTheDecisionThenTheKernelLog() throws IOException {
        ScenarioRun run = ScenarioRunner.run(ScenarioFilesTest.readTree(
                ScenarioFilesTest.SCENARIOS.resolve("2-nodes-global-kill.yaml")));
        String text = TextSummary.render(run);
        assertThat(text.lines()).contains(
                "#0 alloc: page node 0 NORMAL pfn 0 order 0, did_some_progress 1, may_oom 1x, reclaim 1x;"
                        + " out_of_memory CONSTRAINT_NONE totalpages 8192, chose 900 (java) points 5010 score 611,"
                        + " killed [900]; path fastpath:fail > kswapd:wake > slowpath:min:fail > reclaim:0 >"
                        + " may_oom:oom > retry > kswapd:wake > slowpath:min:ok",
                "    Out of memory: Kill process 900 (java) score 611 or sacrifice child",
                "  pid 900 exited, oom-killed, rss {0=0, 1=0}",
                "  oom_lock free");
    }

    @Test
    void aReapedEventShowsTheReapersLinesBeforeItsOwnLog() throws IOException {
        ScenarioRun run = ScenarioRunner.run(ScenarioFilesTest.readTree(
                ScenarioFilesTest.SCENARIOS.resolve("1-node-modern-oom-reaper.yaml")));
        String text = TextSummary.render(run);
        assertThat(text.lines()).containsSubsequence(
                "#2 alloc: NULL, did_some_progress 1, may_oom 1x, reclaim 1x; out_of_memory CONSTRAINT_NONE"
                        + " totalpages 4096, chose 301 (small) points 501 score 122, killed [301]; path fastpath:fail"
                        + " > kswapd:wake > slowpath:min:fail > kswapd:wake > slowpath:min:fail > reclaim:0 >"
                        + " may_oom:oom",
                "    oom_reaper: reaped process 300 (big), now anon-rss:0kB, file-rss:4000kB, shmem-rss:0kB",
                "    loader invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=-1000");
    }
}
