package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of the docs/kernel-model.md §9 table (seed) and the §13 differences (modern), through the direct entry. */
class MayOomTableTest {

    private static String machine(String profile, String top, String normalFree, String requesterFlags) {
        return """
                profile: %s
                sysctl: {min_free_kbytes: 1024}
                %s
                nodes:
                  - id: 0
                    zones:
                      - {type: DMA, managed_pages: 1024, free_pages: 2}
                      - {type: NORMAL, managed_pages: 4096, %s}
                tasks:
                  - {pid: 900, comm: java, rss: {0: {anon: 2000}}, total_vm: 2000}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}, total_vm: 10, flags: [%s]}
                """.formatted(profile, top, normalFree, requesterFlags);
    }

    /** name, profile, top-level yaml, NORMAL free spec, requester flags, gfp, order, page?, did, step, oom?, killed */
    static Stream<Arguments> rows() {
        String low = "free_pages: 8";
        return Stream.of(
            Arguments.of("row1 trylock fails", "seed", "oom_lock: held", low, "", "GFP_KERNEL", 0, false, 1,
                    "may_oom:trylock-fail", false, List.of()),
            Arguments.of("row2 high watermark walk succeeds", "seed", "", "free: {10: 1}", "", "GFP_KERNEL", 0, true, 0,
                    "may_oom:highwmark-ok", false, List.of()),
            Arguments.of("row3 dumpcore", "seed", "", low, "dumpcore", "GFP_KERNEL", 0, false, 0,
                    "may_oom:skip:dumpcore", false, List.of()),
            Arguments.of("row4 costly order", "seed", "", low, "", "GFP_KERNEL", 4, false, 0, "may_oom:skip:costly",
                    false, List.of()),
            Arguments.of("row5 lowmem request", "seed", "", low, "", "GFP_KERNEL|GFP_DMA", 0, false, 0,
                    "may_oom:skip:lowmem", false, List.of()),
            Arguments.of("row6 no FS reports progress", "seed", "", low, "", "GFP_NOFS", 0, false, 1,
                    "may_oom:skip:nofs", false, List.of()),
            Arguments.of("row7 storage suspended", "seed", "suspended_storage: true", low, "", "GFP_KERNEL", 0, false,
                    0, "may_oom:skip:suspended", false, List.of()),
            Arguments.of("row8 thisnode", "seed", "", low, "", "GFP_KERNEL|__GFP_THISNODE", 0, false, 0,
                    "may_oom:skip:thisnode", false, List.of()),
            Arguments.of("row9 out_of_memory kills", "seed", "", low, "", "GFP_KERNEL", 0, false, 1, "may_oom:oom",
                    true, List.of(900)),
            Arguments.of("row10 out_of_memory false with NOFAIL", "seed", "oom_killer_disabled: true", low, "",
                    "GFP_KERNEL|__GFP_NOFAIL", 0, false, 1, "may_oom:oom", true, List.of()),
            Arguments.of("row11 out_of_memory false", "seed", "oom_killer_disabled: true", low, "", "GFP_KERNEL", 0,
                    false, 0, "may_oom:oom", true, List.of()),
            Arguments.of("NOFAIL skips dumpcore", "seed", "", low, "dumpcore", "GFP_KERNEL|__GFP_NOFAIL", 0, false, 1,
                    "may_oom:oom", true, List.of(900)),
            Arguments.of("NOFAIL skips costly", "seed", "", low, "", "GFP_KERNEL|__GFP_NOFAIL", 5, false, 1,
                    "may_oom:oom", true, List.of(900)),
            Arguments.of("NOFAIL skips lowmem", "seed", "", low, "", "GFP_KERNEL|GFP_DMA|__GFP_NOFAIL", 0, false, 1,
                    "may_oom:oom", true, List.of(900)),
            Arguments.of("NOFAIL skips nofs", "seed", "", low, "", "GFP_NOFS|__GFP_NOFAIL", 0, false, 1,
                    "may_oom:oom", true, List.of(900)),
            Arguments.of("NOFAIL skips thisnode", "seed", "", low, "", "GFP_KERNEL|__GFP_THISNODE|__GFP_NOFAIL", 0,
                    false, 1, "may_oom:oom", true, List.of(900)),
            Arguments.of("modern: no FS reaches out_of_memory, which returns true without a kill", "modern", "", low,
                    "", "GFP_NOFS", 0, false, 1, "may_oom:oom", true, List.of()),
            Arguments.of("modern: NOFAIL does not skip costly", "modern", "", low, "", "GFP_KERNEL|__GFP_NOFAIL", 4,
                    false, 0, "may_oom:skip:costly", false, List.of()),
            Arguments.of("modern: retry_mayfail skips", "modern", "", low, "", "GFP_KERNEL|__GFP_RETRY_MAYFAIL", 0,
                    false, 0, "may_oom:skip:retry_mayfail", false, List.of()),
            Arguments.of("modern: thisnode skips", "modern", "", low, "", "GFP_KERNEL|__GFP_THISNODE", 0, false, 0,
                    "may_oom:skip:thisnode", false, List.of()),
            Arguments.of("modern: lowmem skips", "modern", "", low, "", "GFP_KERNEL|GFP_DMA", 0, false, 0,
                    "may_oom:skip:lowmem", false, List.of()),
            Arguments.of("modern: kill", "modern", "", low, "", "GFP_KERNEL", 0, false, 1, "may_oom:oom", true,
                    List.of(900)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void mayOomDecidesEachRowAsTheKernelDoes(String name, String profile, String top, String normalFree,
            String flags, String gfp, int order, boolean page, int did, String step, boolean oom,
            List<Integer> killed) {
        ScenarioRunner r = Yaml.boot(machine(profile, top, normalFree, flags));
        GfpFlags g = GfpFlags.parse(gfp, r.machine().profile(), Arch.X86_64);
        EventResult.Alloc res = r.mayOom(new AllocRequest(1000, g, order, 0));
        assertThat(res.page() != null).as("page").isEqualTo(page);
        assertThat(res.didSomeProgress()).as("did_some_progress").isEqualTo(did);
        assertThat(res.path()).as("path").containsExactly(step);
        assertThat(res.oom() != null).as("out_of_memory ran").isEqualTo(oom);
        if (oom) {
            assertThat(res.oom().killed()).as("killed").isEqualTo(killed);
        }
        assertThat(r.machine().oomLock().isHeld()).as("lock released").isEqualTo(top.contains("held"));
    }

    @Test
    void mayOomReportsProgressWhenLockIsHeldElsewhereWithoutTouchingTheFreeLists() {
        ScenarioRunner r = Yaml.boot(machine("seed", "oom_lock: held", "free: {10: 1}", ""));
        long free = r.machine().zone(0, 2).freePages();
        EventResult.Alloc res = r.mayOom(new AllocRequest(1000, GfpFlags.GFP_KERNEL, 0, 0));
        assertThat(res.page()).isNull();
        assertThat(res.didSomeProgress()).isEqualTo(1);
        assertThat(r.machine().zone(0, 2).freePages()).isEqualTo(free);
    }

    @Test
    void row7IsUnreachableThroughAllocateBecauseSuspendStripsFsFirst() {
        ScenarioRunner r = Yaml.boot(machine("seed", "suspended_storage: true\noptions: {max_retries: 0}",
                "free_pages: 8",
                ""));
        EventResult.Alloc res = r.allocate(new AllocRequest(1000, GfpFlags.GFP_KERNEL, 0, 0));
        assertThat(res.path()).contains("may_oom:skip:nofs").doesNotContain("may_oom:skip:suspended");
    }
}
