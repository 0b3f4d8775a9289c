package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.api.Test;

/**
 * mm/page_alloc.c {@code __alloc_pages_slowpath} and {@code should_compact_retry} (v6.1): compact_priority starts at
 * DEF_COMPACT_PRIORITY (COMPACT_PRIO_SYNC_LIGHT = 1); the first compaction runs at INIT_COMPACT_PRIORITY (ASYNC = 2)
 * as an argument only. A failed compaction lowers the priority and retries only while it is above
 * MIN_COMPACT_PRIORITY (SYNC_FULL = 0) for orders 1..3, or MIN_COMPACT_COSTLY_PRIORITY (SYNC_LIGHT = 1) above.
 */
class CompactPriorityTest {

    private static EventResult.Alloc alloc(String gfp, int order) {
        ScenarioRunner r = Yaml.boot("""
                profile: modern
                sysctl: {min_free_kbytes: 1024}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 4096, free: {0: 300}, reclaimable_pages: 100}]}]
                tasks:
                  - {pid: 900, comm: java, rss: {0: {anon: 3000}}, total_vm: 3000}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}, total_vm: 10}
                options: {max_retries: 40, reclaim_pages_per_pass: 1}
                """);
        return r.allocate(new AllocRequest(1000, GfpFlags.parse(gfp, r.machine().profile(), Arch.X86_64), order, 0));
    }

    /**
     * Order 2: reclaim frees one page a pass (progress 1, so no_progress_loops resets), but no free block of order
     * >= 2 exists, so should_reclaim_retry's __zone_watermark_ok fails and should_compact_retry decides. Compaction
     * fails (COMPACT_COMPLETE counts as failed): pass 1 lowers priority 1 -> 0 and retries; pass 2 finds 0 not above
     * MIN_COMPACT_PRIORITY 0, so __alloc_pages_may_oom runs. Two reclaim passes before the first OOM (the old start at
     * ASYNC = 2 gave three).
     */
    @Test
    void orderTwoGetsOneCompactionEscalationBeforeTheOomKiller() {
        EventResult.Alloc res = alloc("GFP_KERNEL", 2);
        int oom = res.path()
                .indexOf(res.path().stream().filter(s -> s.startsWith("may_oom")).findFirst().orElseThrow());
        assertThat(res.path().subList(0, oom).stream().filter(s -> s.startsWith("reclaim:")).count()).isEqualTo(2);
    }

    /**
     * Order 4 with __GFP_RETRY_MAYFAIL: priority 1 is not above MIN_COMPACT_COSTLY_PRIORITY 1, so there is no
     * compaction retry at all; may_oom skips a costly order, and the request fails after one reclaim pass.
     */
    @Test
    void costlyOrderGetsNoCompactionRetry() {
        EventResult.Alloc res = alloc("GFP_KERNEL|__GFP_RETRY_MAYFAIL", 4);
        assertThat(res.page()).isNull();
        assertThat(res.reclaimPasses()).isEqualTo(1);
    }
}
