package dev.oomsim.kernel.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Unusual but legal inputs run to a result instead of throwing. */
class EdgeCasesTest {

    @Test
    void kernelThreadsAllocateFreeAndExitWithoutAnMm() {
        ScenarioRun run = Yaml.run("""
                sysctl: {min_free_kbytes: 128}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 4096, free: {10: 1}}]}]
                tasks:
                  - {pid: 2, comm: kthreadd, flags: [kthread]}
                  - {pid: 3, comm: kworker, flags: [kthread], parent: 2}
                events:
                  - alloc: {pid: 3, gfp: GFP_KERNEL, order: 2}
                  - free: {pid: 3, node: 0, pfn: 0, order: 2}
                  - alloc: {pid: 3, gfp: GFP_KERNEL, order: 0}
                  - exit: {pid: 3}
                """);
        assertThat(run.results()).hasSize(4);
        assertThat(((EventResult.Alloc) run.results().get(0)).page().pfn()).isZero();
        @SuppressWarnings("unchecked")
        List<Object> zones = (List<Object>) run.state().get("zones");
        assertThat(zones.toString()).contains("free=1024");
    }

    @Test
    void aKernelThreadThatHitsOomKillsAUserTaskAndPrintsItsOwnComm() {
        ScenarioRun run = Yaml.run("""
                sysctl: {min_free_kbytes: 1024}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}]
                tasks:
                  - {pid: 3, comm: kworker/0:1, flags: [kthread]}
                  - {pid: 900, comm: java, rss: {0: {anon: 3000}}}
                events:
                  - alloc: {pid: 3, gfp: GFP_KERNEL, order: 0}
                """);
        EventResult.Alloc a = (EventResult.Alloc) run.results().get(0);
        assertThat(a.oom().killed()).containsExactly(900);
        assertThat(a.log().get(0))
                .isEqualTo("kworker/0:1 invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0");
        assertThat(a.page()).isNotNull();
    }

    @Test
    void interleaveAndPreferredPoliciesPickTheirNodes() {
        ScenarioRun run = Yaml.run("""
                sysctl: {min_free_kbytes: 128}
                nodes:
                  - {id: 0, zones: [{type: NORMAL, managed_pages: 4096, free: {10: 2}}]}
                  - {id: 1, zones: [{type: NORMAL, managed_pages: 4096, free: {10: 2}}]}
                  - {id: 2, zones: [{type: NORMAL, managed_pages: 4096, free: {10: 2}}]}
                tasks:
                  - {pid: 10, comm: il, mempolicy: "interleave:[1,2]"}
                  - {pid: 20, comm: pref, mempolicy: "preferred:2"}
                events:
                  - alloc: {pid: 10, gfp: GFP_HIGHUSER_MOVABLE, order: 0, node: 0}
                  - alloc: {pid: 10, gfp: GFP_HIGHUSER_MOVABLE, order: 0, node: 0}
                  - alloc: {pid: 10, gfp: GFP_HIGHUSER_MOVABLE, order: 0, node: 0}
                  - alloc: {pid: 20, gfp: GFP_KERNEL, order: 0, node: 0}
                """);
        assertThat(run.results()).extracting(r -> ((EventResult.Alloc) r).page().nodeId()).containsExactly(1, 2, 1, 2);
    }

    @Test
    void aPanicStopsTheRun() {
        ScenarioRun run = Yaml.run("""
                sysctl: {min_free_kbytes: 1024, panic_on_oom: 2}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}]
                tasks:
                  - {pid: 900, comm: java, rss: {0: {anon: 3000}}}
                events:
                  - alloc: {pid: 900, gfp: GFP_KERNEL, order: 0}
                  - exit: {pid: 900}
                """);
        assertThat(run.results()).hasSize(1);
        assertThat(((EventResult.Alloc) run.results().get(0)).panic())
                .isEqualTo("Out of memory: compulsory panic_on_oom is enabled");
    }

    @Test
    void exitFreeAndSetOfAnAlreadyExitedVictimChangeNothing() {
        ScenarioRun run = Yaml.run("""
                sysctl: {min_free_kbytes: 1024}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}]
                tasks:
                  - {pid: 900, comm: java, rss: {0: {anon: 3000}}}
                  - {pid: 1000, comm: bash, rss: {0: {anon: 10}}}
                events:
                  - alloc: {pid: 1000, gfp: GFP_KERNEL, order: 0}
                  - exit: {pid: 900}
                  - set: {pid: 900, oom_score_adj: 5}
                  - free: {pid: 900, node: 0, pfn: 20, order: 0}
                  - oom_score: {pid: 900}
                """);
        assertThat(run.results()).hasSize(5);
        assertThat(((EventResult.OomScore) run.results().get(4)).oomScore()).isZero();
    }

    @Test
    void anEarlierVictimExitsBeforeTheRetryAndTheNextOomKillsAgain() {
        ScenarioRun run = Yaml.run("""
                sysctl: {min_free_kbytes: 1024, oom_dump_tasks: 0}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}]
                tasks:
                  - {pid: 900, comm: java, rss: {0: {anon: 3000}}}
                  - {pid: 950, comm: dying, flags: [memdie], rss: {0: {anon: 10}}}
                  - {pid: 1000, comm: bash, rss: {0: {anon: 10}}}
                events:
                  - alloc: {pid: 1000, gfp: GFP_KERNEL, order: 0}
                """);
        EventResult.Alloc a = (EventResult.Alloc) run.results().get(0);
        assertThat(a.oomCalls()).extracting(o -> o.aborted()).containsExactly(true, false);
        assertThat(a.oom().killed()).containsExactly(900);
        assertThat(a.page()).isNotNull();
    }

    @Test
    void threadsShareTheirLeadersMmAndDieWithIt() {
        ScenarioRun run = Yaml.run("""
                sysctl: {min_free_kbytes: 1024}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}]
                tasks:
                  - {pid: 900, comm: java, rss: {0: {anon: 3000}}}
                  - {pid: 901, tgid: 900, comm: GC-thread}
                  - {pid: 1000, comm: bash, rss: {0: {anon: 10}}}
                events:
                  - alloc: {pid: 1000, gfp: GFP_KERNEL, order: 0}
                """);
        EventResult.Alloc a = (EventResult.Alloc) run.results().get(0);
        assertThat(a.oom().chosen().pid()).isEqualTo(900);
        assertThat(a.oom().signalled()).isEmpty();
        assertThat(a.log())
                .contains("[  900]     0   900        0     3000       0       0        0             0 java")
                .noneMatch(l -> l.contains("GC-thread"));
        assertThat(run.state().toString()).contains("pid=901, alive=false");
    }
}
