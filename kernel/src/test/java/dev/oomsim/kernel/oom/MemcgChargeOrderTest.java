package dev.oomsim.kernel.oom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.api.Test;

/**
 * mm/memcontrol.c {@code try_charge_memcg} (v6.1): mem_cgroup_oom runs at get_order(nr_pages * PAGE_SIZE) and skips
 * above PAGE_ALLOC_COSTLY_ORDER; since v5.16 a dying requester (task_is_dying) is not force-charged: after
 * passed_oom it goes to nomem, and GFP_KERNEL (no NOFAIL, no HIGH) returns -ENOMEM.
 */
class MemcgChargeOrderTest {

    private static final String YAML = """
            profile: modern
            sysctl: {min_free_kbytes: 1024}
            nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 8192, free: {10: 2}}]}]
            memcgs: [{name: /web, limit_pages: 95, swappiness: 0}]
            tasks:
              - {pid: 100, comm: big, rss: {0: {anon: 3000}}}
              - {pid: 150, comm: cache, memcg: /web, rss: {0: {anon: 50}}}
              - {pid: 200, comm: web, memcg: /web, rss: {0: {anon: 40}}%s}
            events:
              - charge: {pid: 200, pages: %d}
            """;

    private static EventResult.Charge charge(int pages, String flags) {
        return (EventResult.Charge) Yaml.run(YAML.formatted(flags, pages)).results().get(0);
    }

    /**
     * 8 pages = 32 KiB: get_order(32768) = 3, not above the costly order 3, so the memcg OOM runs and the header says
     * order=3. Usage 90 + 8 > limit 95; cache (50) outscores web (40) and dies; then 40 + 8 <= 95 charges.
     */
    @Test
    void memcgOomHeaderPrintsTheChargeOrder() {
        EventResult.Charge c = charge(8, "");
        assertThat(c.log().get(0)).contains("order=3,");
        assertThat(c.oomCalls().get(0).killed()).containsExactly(150);
        assertThat(c.charged()).isTrue();
    }

    /**
     * 9 pages (90 + 9 > 95): get_order(36864) = 4 > PAGE_ALLOC_COSTLY_ORDER, so mem_cgroup_oom is skipped and the
     * charge fails.
     */
    @Test
    void chargeAboveTheCostlyOrderFailsWithoutAnOom() {
        EventResult.Charge c = charge(9, "");
        assertThat(c.oomCalls()).isEmpty();
        assertThat(c.charged()).isFalse();
        assertThat(c.log()).isEmpty();
    }

    /**
     * A requester with a fatal signal pending: mem_cgroup_out_of_memory returns task_is_dying() = true without calling
     * out_of_memory (no kill, no log), passed_oom = true; the retry still exceeds the limit, passed_oom &&
     * task_is_dying() goes to nomem, and the charge fails: no force charge past the limit.
     */
    @Test
    void dyingRequesterIsNotForceCharged() {
        EventResult.Charge c = charge(8, ", flags: [fatal_signal]");
        assertThat(c.charged()).isFalse();
        assertThat(c.oomCalls()).isEmpty();
        assertThat(c.log()).isEmpty();
    }
}
