package dev.oomsim.kernel.oom;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.oomsim.kernel.mm.AllocRequest;
import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import dev.oomsim.kernel.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OomKillerTest {

    private static String oneNode(String profile, String sysctl, long managed, String tasks) {
        return """
                profile: %s
                sysctl: {min_free_kbytes: 1024%s}
                nodes:
                  - id: 0
                    zones:
                      - {type: NORMAL, managed_pages: %d, free_pages: 8}
                tasks:
                %s
                """.formatted(profile, sysctl, managed, tasks);
    }

    private static EventResult.Alloc oom(ScenarioRunner r, int pid, String gfp) {
        return r.mayOom(new AllocRequest(pid, GfpFlags.parse(gfp, r.machine().profile(), Arch.X86_64), 0, 0));
    }

    @ParameterizedTest(name = "{0}: rss {1} swap {2} ptes {3} adj {4} admin {5} totalpages {6} -> {7}")
    @CsvSource({
        "seed, 1000, 0, 0, 0, false, 100000, 1000",
        "seed, 1000, 50, 10, 0, false, 100000, 1060",
        "seed, 1000, 0, 0, 0, true, 100000, 970",
        "seed, 1000, 0, 0, 500, false, 100000, 51000",
        "seed, 1000, 0, 0, -500, false, 100000, 1",
        "seed, 1000, 0, 0, -999, false, 999, 1000",
        "seed, 1000, 0, 0, -1000, false, 100000, 0",
        "seed, 0, 0, 0, 0, false, 100000, 1",
        "modern, 1000, 0, 0, 0, true, 100000, 1000",
        "modern, 1000, 0, 0, -500, false, 100000, -49000",
        "modern, 0, 0, 0, 0, false, 100000, 0",
    })
    void badnessFollowsTheProfileArithmetic(String profile, long rss, long swap, long ptes, int adj, boolean admin,
            long totalpages, long expected) {
        String task = "  - {pid: 10, comm: t, rss: {0: {anon: %d}}, swapents: %d, nr_ptes: %d, oom_score_adj: %d,"
                + " cap_sys_admin: %s}\n  - {pid: 20, comm: reader}";
        ScenarioRunner r = Yaml.boot(oneNode(profile, "", 4096, task.formatted(rss, swap, ptes, adj, admin)));
        Task t = r.machine().tasks().get(10);
        Task reader = r.machine().tasks().get(20);
        assertThat(r.oomKiller().oomBadness(t, null, null, totalpages, reader)).isEqualTo(expected);
    }

    @Test
    void modernBadnessOfAnAdjMinTaskIsLongMin() {
        ScenarioRunner r = Yaml.boot(oneNode("modern", "", 4096,
                "  - {pid: 10, comm: t, oom_score_adj: -1000, rss: {0: {anon: 5}}}"));
        Task t = r.machine().tasks().get(10);
        assertThat(r.oomKiller().oomBadness(t, null, null, 4096, t)).isEqualTo(Long.MIN_VALUE);
    }

    @ParameterizedTest(name = "{0} picks {1}")
    @CsvSource({"seed, 700", "modern, 701"})
    void aTieKeepsTheEarlierProcessInSeedAndTheLaterInModern(String profile, int victim) {
        ScenarioRunner r = Yaml.boot(oneNode(profile, "", 8192, """
                  - {pid: 700, comm: a, rss: {0: {anon: 3000}}}
                  - {pid: 701, comm: b, rss: {0: {anon: 3000}}}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}}
                """));
        EventResult.Alloc res = oom(r, 1000, "GFP_KERNEL");
        assertThat(res.oom().chosen().pid()).isEqualTo(victim);
        assertThat(res.oom().killed()).containsExactly(victim);
    }

    @Test
    void theChildRuleSacrificesTheFirstChildWithTheMostRawPointsInSeedOnly() {
        String tasks = """
                  - {pid: 100, comm: parent, rss: {0: {anon: 3000}}}
                  - {pid: 101, comm: kid1, parent: 100, rss: {0: {anon: 50}}}
                  - {pid: 102, comm: kid2, parent: 100, rss: {0: {anon: 80}}}
                  - {pid: 103, comm: kid3, parent: 100, rss: {0: {anon: 80}}, oom_score_adj: -1000}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}}
                """;
        EventResult.Alloc seed = oom(Yaml.boot(oneNode("seed", "", 8192, tasks)), 1000, "GFP_KERNEL");
        assertThat(seed.oom().chosen().pid()).isEqualTo(100);
        assertThat(seed.oom().killed()).containsExactly(102);
        assertThat(seed.log()).contains("Out of memory: Kill process 100 (parent) score 366 or sacrifice child",
                "Killed process 102 (kid2) total-vm:0kB, anon-rss:320kB, file-rss:0kB");
        EventResult.Alloc modern = oom(Yaml.boot(oneNode("modern", "", 8192, tasks)), 1000, "GFP_KERNEL");
        assertThat(modern.oom().killed()).containsExactly(100);
    }

    @Test
    void aVictimAlreadyMarkedMemdieAbortsTheSearch() {
        EventResult.Alloc res = oom(Yaml.boot(oneNode("seed", "", 8192, """
                  - {pid: 100, comm: big, rss: {0: {anon: 3000}}}
                  - {pid: 200, comm: dying, rss: {0: {anon: 10}}, flags: [memdie]}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}}
                """)), 1000, "GFP_KERNEL");
        assertThat(res.oom().aborted()).isTrue();
        assertThat(res.oom().chosen()).isNull();
        assertThat(res.oom().killed()).isEmpty();
        assertThat(res.didSomeProgress()).isEqualTo(1);
        assertThat(res.log()).isEmpty();
    }

    @Test
    void anExitingTaskAbortsTheSeedSearchButACoreDumpingOneDoesNot() {
        String exiting = "  - {pid: 100, comm: big, rss: {0: {anon: 3000}}}\n"
                + "  - {pid: 200, comm: quitting, rss: {0: {anon: 10}}, flags: [%s]}\n"
                + "  - {pid: 1000, comm: req, rss: {0: {anon: 10}}}";
        assertThat(oom(Yaml.boot(oneNode("seed", "", 8192, exiting.formatted("exiting"))), 1000, "GFP_KERNEL")
                .oom().aborted()).isTrue();
        EventResult.Alloc dumping = oom(Yaml.boot(oneNode("seed", "", 8192,
                exiting.formatted("exiting, coredump_group"))), 1000, "GFP_KERNEL");
        assertThat(dumping.oom().aborted()).isFalse();
        assertThat(dumping.oom().killed()).containsExactly(100);
    }

    @Test
    void aRequesterWithAFatalSignalIsMarkedMemdieSilently() {
        ScenarioRunner r = Yaml.boot(oneNode("seed", "", 8192, """
                  - {pid: 100, comm: big, rss: {0: {anon: 3000}}}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}, flags: [fatal_signal]}
                """));
        EventResult.Alloc res = oom(r, 1000, "GFP_KERNEL");
        assertThat(res.oom().constraint()).isNull();
        assertThat(res.oom().killed()).isEmpty();
        assertThat(res.log()).isEmpty();
        assertThat(r.machine().tasks().get(1000).has(dev.oomsim.kernel.task.TaskFlag.MEMDIE)).isTrue();
    }

    @Test
    void notifiersThatFreePagesWinBeforePanicOnOom() {
        ScenarioRunner r = Yaml.boot("oom_notifier_frees: 5\n" + oneNode("seed", ", panic_on_oom: 2", 8192,
                "  - {pid: 1000, comm: req, rss: {0: {anon: 10}}}"));
        EventResult.Alloc res = oom(r, 1000, "GFP_KERNEL");
        assertThat(res.panic()).isNull();
        assertThat(res.didSomeProgress()).isEqualTo(1);
    }

    @ParameterizedTest(name = "panic_on_oom={0} under {1}")
    @CsvSource(delimiter = ';', value = {
        "1; /; Out of memory: system-wide panic_on_oom is enabled",
        "2; /; Out of memory: compulsory panic_on_oom is enabled",
        "1; /jobs; ",
        "2; /jobs; Out of memory: compulsory panic_on_oom is enabled",
    })
    void panicOnOomPanicsPerConstraint(int panicOnOom, String cpuset, String panic) {
        String yaml = """
                sysctl: {min_free_kbytes: 1024, panic_on_oom: %d}
                nodes:
                  - {id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}
                  - {id: 1, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}
                cpusets: [{name: /jobs, mems: [0], hardwall: true}]
                tasks:
                  - {pid: 100, comm: big, rss: {0: {anon: 3000}}}
                  - {pid: 1000, comm: req, cpuset: %s, rss: {0: {anon: 10}}}
                """.formatted(panicOnOom, cpuset);
        ScenarioRunner r = Yaml.boot(yaml);
        EventResult.Alloc res = r.mayOom(new AllocRequest(1000, GfpFlags.GFP_USER, 0, 0));
        assertThat(res.panic()).isEqualTo(panic);
        if (panic != null) {
            assertThat(res.log()).last().isEqualTo("Kernel panic - not syncing: " + panic);
            assertThat(res.log().get(0))
                    .isEqualTo("req invoked oom-killer: gfp_mask=0x24200c0, order=0, oom_score_adj=0");
        } else {
            assertThat(res.oom().constraint()).isEqualTo(OomConstraint.CONSTRAINT_CPUSET);
            assertThat(res.oom().killed()).containsExactly(100);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "seed; Kernel panic - not syncing: Out of memory and no killable processes...; Out of memory and no killable "
                + "processes...",
        "modern; Kernel panic - not syncing: System is deadlocked on memory; System is deadlocked on memory",
    })
    void noKillableTaskPanics(String profile, String lastLine, String panic) {
        ScenarioRunner r = Yaml.boot(oneNode(profile, ", oom_dump_tasks: 0", 4096, """
                  - {pid: 1, comm: init, flags: [global_init], rss: {0: {anon: 10}}}
                  - {pid: 2, comm: kthreadd, flags: [kthread]}
                  - {pid: 1000, comm: req, oom_score_adj: -1000, rss: {0: {anon: 10}}}
                """));
        EventResult.Alloc res = oom(r, 1000, "GFP_KERNEL");
        assertThat(res.panic()).isEqualTo(panic);
        assertThat(res.log()).last().isEqualTo(lastLine);
        assertThat(r.machine().panicked()).isTrue();
    }

    @Test
    void oomKillAllocatingTaskKillsTheRequesterUnlessItIsAdjMin() {
        String tasks = """
                  - {pid: 100, comm: big, rss: {0: {anon: 3000}}}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}, oom_score_adj: %d}
                """;
        EventResult.Alloc res = oom(Yaml.boot(oneNode("seed", ", oom_kill_allocating_task: 1", 8192,
                tasks.formatted(0))), 1000, "GFP_KERNEL");
        assertThat(res.oom().killed()).containsExactly(1000);
        assertThat(res.log()).contains("Out of memory (oom_kill_allocating_task): Kill process 1000 (req) score 0"
                + " or sacrifice child");
        EventResult.Alloc adjMin = oom(Yaml.boot(oneNode("seed", ", oom_kill_allocating_task: 1", 8192,
                tasks.formatted(-1000))), 1000, "GFP_KERNEL");
        assertThat(adjMin.oom().killed()).containsExactly(100);
    }

    @Test
    void anOomOriginTaskPrintsTheWrappedScore() {
        ScenarioRunner r = Yaml.boot(oneNode("seed", ", oom_dump_tasks: 0", 1000000, """
                  - {pid: 100, comm: big, rss: {0: {anon: 900000}}}
                  - {pid: 950, comm: swapoff, flags: [oom_origin], rss: {0: {anon: 10}}}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}}
                """));
        EventResult.Alloc res = oom(r, 1000, "GFP_KERNEL");
        assertThat(res.oom().chosen().pid()).isEqualTo(950);
        assertThat(res.oom().chosen().score()).isEqualTo(4154504685L);
        assertThat(res.oom().chosen().pointsText()).isEqualTo("18446744073709551615");
        assertThat(res.log()).contains("Out of memory: Kill process 950 (swapoff) score 4154504685 or sacrifice child");
    }

    @Test
    void sharersOfTheVictimMmAreSignalledExceptAdjMinAndInit() {
        ScenarioRunner r = Yaml.boot(oneNode("seed", ", oom_dump_tasks: 0", 8192, """
                  - {pid: 100, comm: big, rss: {0: {anon: 3000}}}
                  - {pid: 101, comm: share1, mm: 100}
                  - {pid: 102, comm: share2, mm: 100, oom_score_adj: -1000}
                  - {pid: 103, comm: share3, mm: 100, flags: [kthread]}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}}
                """));
        EventResult.Alloc res = oom(r, 1000, "GFP_KERNEL");
        assertThat(res.oom().killed()).containsExactly(100);
        assertThat(res.oom().signalled()).containsExactly(101);
        assertThat(res.log()).containsExactly("req invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0",
                "req cpuset=/ mems_allowed=0", "Out of memory: Kill process 100 (big) score 366 or sacrifice child",
                "Killed process 100 (big) total-vm:0kB, anon-rss:12000kB, file-rss:0kB",
                "Kill process 101 (share1) sharing same memory");
    }

    @Test
    void memoryLocationIsNotConsideredUnderCpusetConstraint() {
        String yaml = """
                nodes:
                  - {id: 0, spanned_pages: 5000, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}
                  - {id: 1, spanned_pages: 7000, zones: [{type: NORMAL, managed_pages: 4096, free: {10: 1}}]}
                sysctl: {min_free_kbytes: 1024}
                swap_pages: 100
                cpusets: [{name: /a, mems: [0], hardwall: true}, {name: /b, mems: [1], hardwall: true}]
                tasks:
                  - {pid: 100, comm: remote, rss: {1: {anon: 3000}}}
                  - {pid: 200, comm: other, cpuset: /b, rss: {1: {anon: 10}}}
                  - {pid: 1000, comm: req, cpuset: /a, rss: {0: {anon: 10}}}
                """;
        EventResult.Alloc res = Yaml.boot(yaml).mayOom(new AllocRequest(1000, GfpFlags.GFP_USER, 0, 0));
        assertThat(res.oom().constraint()).isEqualTo(OomConstraint.CONSTRAINT_CPUSET);
        assertThat(res.oom().totalpages()).isEqualTo(5100L);
        assertThat(res.oom().chosen().pid()).isEqualTo(100);
        assertThat(res.oom().chosen().score()).isEqualTo(3000L * 1000 / 5100);
    }

    @Test
    void dumpTasksRowsUseTheExactPrintfLayout() {
        ScenarioRunner seed = Yaml.boot(oneNode("seed", "", 8192,
                "  - {pid: 12345, uid: 1000, comm: java, rss: {0: {anon: 2000, file: 100}}, swapents: 7, nr_ptes: 55,"
                        + " nr_pmds: 3, total_vm: 999999, oom_score_adj: -17}"));
        Task t = seed.machine().tasks().get(12345);
        assertThat(seed.oomKiller().dumpTaskRow(t))
                .isEqualTo("[12345]  1000 12345   999999     2100      55       3        7           -17 java");
        ScenarioRunner modern = Yaml.boot(oneNode("modern", "", 8192,
                "  - {pid: 12345, uid: 1000, comm: java, rss: {0: {anon: 2000, file: 100}}, swapents: 7, nr_ptes: 55,"
                        + " nr_pmds: 3, total_vm: 999999, oom_score_adj: -17}"));
        assertThat(modern.oomKiller().dumpTaskRow(modern.machine().tasks().get(12345)))
                .isEqualTo("[  12345]  1000 12345   999999     2100   237568        7           -17 java");
    }

    @ParameterizedTest(name = "{0}: rss {1} adj {2} -> {3}")
    @CsvSource({
        "seed, 4096, 0, 500", "seed, 4096, 1000, 1476", "seed, 4096, -1000, 0", "seed, 0, 0, 0",
        "modern, 4096, 0, 1000", "modern, 0, 0, 666", "modern, 4096, -1000, 0", "modern, 0, -999, 16",
        "modern, 4096, 1000, 1650",
    })
    void oomScoreReadsLikeProc(String profile, long rss, int adj, long score) {
        ScenarioRunner r = Yaml.boot(oneNode(profile, "", 8192,
                "  - {pid: 10, comm: t, oom_score_adj: %d, rss: {0: {anon: %d}}}".formatted(adj, rss)));
        assertThat(r.oomKiller().oomScore(r.machine().tasks().get(10))).isEqualTo(score);
    }

    @Test
    void memcgOomOnlyConsidersTheMemcgAndPanicsOnlyForPanicOnOom2() {
        String yaml = """
                sysctl: {min_free_kbytes: 1024, panic_on_oom: %d}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 8192, free: {10: 2}}]}]
                memcgs: [{name: /web, limit_pages: 100, swappiness: 0}]
                tasks:
                  - {pid: 100, comm: big, rss: {0: {anon: 3000}}}
                  - {pid: 200, comm: web, memcg: /web, rss: {0: {anon: 90}}}
                events:
                  - charge: {pid: 200, pages: 20}
                """;
        var run = Yaml.run(yaml.formatted(1));
        EventResult.Charge c = (EventResult.Charge) run.results().get(0);
        assertThat(c.panic()).isNull();
        assertThat(c.oomCalls()).hasSize(1);
        assertThat(c.oomCalls().get(0).constraint()).isEqualTo(OomConstraint.CONSTRAINT_MEMCG);
        assertThat(c.oomCalls().get(0).totalpages()).isEqualTo(100L);
        assertThat(c.oomCalls().get(0).killed()).containsExactly(200);
        assertThat(c.log())
                .contains("Memory cgroup out of memory: Kill process 200 (web) score 900 or sacrifice child");
        EventResult.Charge panicked = (EventResult.Charge) Yaml.run(yaml.formatted(2)).results().get(0);
        assertThat(panicked.panic()).isEqualTo("Out of memory: compulsory panic_on_oom is enabled");
        assertThat(List.of(panicked.charged())).containsExactly(false);
    }

    @Test
    void pidOneIsGlobalInitEvenWithoutTheFlag() {
        EventResult.Alloc res = oom(Yaml.boot(oneNode("seed", ", oom_dump_tasks: 0", 8192, """
                  - {pid: 1, comm: systemd, rss: {0: {anon: 5000}}}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}}
                """)), 1000, "GFP_KERNEL");
        assertThat(res.oom().killed()).containsExactly(1000);
    }

    @Test
    void thisnodeNofailOomIsUnconstrained() {
        String yaml = """
                sysctl: {min_free_kbytes: 1024}
                nodes:
                  - {id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}
                  - {id: 1, zones: [{type: NORMAL, managed_pages: 4096, free: {10: 2}}]}
                tasks:
                  - {pid: 100, comm: big, rss: {0: {anon: 3000}}}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}}
                """;
        ScenarioRunner r = Yaml.boot(yaml);
        EventResult.Alloc res = oom(r, 1000, "GFP_KERNEL|__GFP_THISNODE|__GFP_NOFAIL");
        assertThat(res.oom().constraint()).isEqualTo(OomConstraint.CONSTRAINT_NONE);
        assertThat(res.oom().totalpages()).isEqualTo(8192L);
        assertThat(res.oom().killed()).containsExactly(100);
    }
}
