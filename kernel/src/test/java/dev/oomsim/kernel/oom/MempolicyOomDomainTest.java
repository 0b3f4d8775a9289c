package dev.oomsim.kernel.oom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.kernel.mm.AllocRequest;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.api.Test;

/**
 * mm/oom_kill.c {@code oom_cpuset_eligible} calling mm/mempolicy.c {@code mempolicy_in_oom_domain} (v5.14+, so
 * v6.1): under CONSTRAINT_MEMORY_POLICY only an MPOL_BIND task whose nodes miss the mask is ineligible; an interleave
 * task outside the mask stays a candidate and stays in the task dump.
 */
class MempolicyOomDomainTest {

    private static final String YAML = """
            profile: %s
            sysctl: {min_free_kbytes: 1024}
            nodes:
              - id: 0
                spanned_pages: 8192
                zones: [{type: NORMAL, managed_pages: 8192, free: {10: 2}}]
              - id: 1
                spanned_pages: 4096
                zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]
            tasks:
              - {pid: 400, comm: pinned0, mempolicy: "bind:[0]", rss: {0: {anon: 2600}}, total_vm: 3000}
              - {pid: 500, comm: spread0, mempolicy: "interleave:[0]", rss: {0: {anon: 2500}}, total_vm: 3000}
              - {pid: 600, comm: web, rss: {1: {anon: 2000}}, total_vm: 2100}
              - {pid: 1000, comm: bound1, mempolicy: "bind:[1]", rss: {1: {anon: 1800}}, total_vm: 3000}
            """;

    private static EventResult.Alloc oom(String profile) {
        ScenarioRunner r = Yaml.boot(YAML.formatted(profile));
        return r.allocate(new AllocRequest(1000, GfpFlags.parse("GFP_HIGHUSER_MOVABLE", r.machine().profile(),
                dev.oomsim.kernel.mm.Arch.X86_64), 0, 1));
    }

    /**
     * The request is bound to node 1, so nodemask = {1} and the constraint is MEMORY_POLICY. v6.1 badness (rss + swap
     * + page tables, no floor): pinned0 is ineligible (bind [0] misses {1}); spread0 2500, web 2000, bound1 1800.
     * spread0 wins with 2500. Under v4.4's mempolicy_nodemask_intersects spread0 (interleave [0]) is out too, and web
     * (2000) would die.
     */
    @Test
    void interleaveTaskOutsideTheMaskIsACandidateInV61() {
        EventResult.Alloc res = oom("modern");
        assertThat(res.oomCalls().get(0).killed()).startsWith(500);
        assertThat(res.log()).anyMatch(l -> l.startsWith("[    500]") || l.startsWith("[  500]"));
        assertThat(res.log()).noneMatch(l -> l.startsWith("[    400]") || l.startsWith("[  400]"));
    }

    /** The seed keeps v4.4 mempolicy_nodemask_intersects: interleave [0] is out, so web (2000) dies. */
    @Test
    void seedStillExcludesTheInterleaveTask() {
        EventResult.Alloc res = oom("seed");
        assertThat(res.oomCalls().get(0).killed()).startsWith(600);
    }
}
