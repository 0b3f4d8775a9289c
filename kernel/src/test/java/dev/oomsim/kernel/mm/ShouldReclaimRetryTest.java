package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.api.Test;

/** mm/page_alloc.c {@code should_reclaim_retry} (v6.1): no back-off, OOM on the pass after loop 16. */
class ShouldReclaimRetryTest {

    /**
     * Worked from v6.1 mm/page_alloc.c should_reclaim_retry. min_free_kbytes 1024 gives pages_min 256; one NORMAL zone
     * takes it all: min = 256, lowmem_reserve 0. Reclaim frees nothing (reclaim_pages_per_pass 0), so every pass does
     * {@code (*no_progress_loops)++}. available = zone_reclaimable_pages 300 + NR_FREE_PAGES 8 = 308, undiscounted;
     * __zone_watermark_ok(order 0): 308 > 256 + 0, so passes 1..16 retry. On pass 17, 17 > MAX_RECLAIM_RETRIES (16),
     * unreserve_highatomic_pageblock finds nothing, and __alloc_pages_may_oom runs: 17 reclaim passes, 16 retries,
     * then the kill. (The removed v4.7-v4.11 back-off, 308 - ceil(loops * 308 / 16), falls to 250 <= 256 at loop 3
     * and would have killed after 3 passes.)
     */
    @Test
    void noProgressReachesTheOomKillerOnThePassAfterMaxReclaimRetries() {
        ScenarioRunner r = Yaml.boot("""
                profile: modern
                sysctl: {min_free_kbytes: 1024}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8, reclaimable_pages: 300}]}]
                tasks:
                  - {pid: 900, comm: java, rss: {0: {anon: 3000}}, total_vm: 3000}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}, total_vm: 10}
                options: {max_retries: 40, reclaim_pages_per_pass: 0}
                """);
        EventResult.Alloc res = r.allocate(new AllocRequest(1000, GfpFlags.GFP_KERNEL, 0, 0));
        assertThat(res.reclaimPasses()).isEqualTo(17);
        assertThat(res.path().stream().filter("retry"::equals).count()).isGreaterThanOrEqualTo(16);
        assertThat(res.oomCalls()).isNotEmpty();
        assertThat(res.oomCalls().get(0).killed()).containsExactly(900);
    }
}
