package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every exit of the seed slow path (docs/kernel-model.md §8), as the whole path and the log it leaves. */
class SlowPathTest {

    private static ScenarioRunner machine(String flags, String normal) {
        return Yaml.boot("""
                sysctl: {min_free_kbytes: 1024}
                nodes:
                  - id: 0
                    zones:
                      - {type: NORMAL, managed_pages: 4096, %s}
                tasks:
                  - {pid: 900, comm: java, rss: {0: {anon: 2000}}, total_vm: 2000}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}, total_vm: 10, flags: [%s]}
                options: {max_retries: 1}
                """.formatted(normal, flags));
    }

    static Stream<Arguments> exits() {
        String empty = "free_pages: 8";
        return Stream.of(
            Arguments.of("GFP_ATOMIC never reaches the OOM killer", "", empty, "GFP_ATOMIC", 0, false,
                    List.of("fastpath:fail", "kswapd:wake", "slowpath:min:fail", "nopage"),
                    List.of("req: page allocation failure: order:0, mode:0x2080020")),
            Arguments.of("GFP_ATOMIC uses HIGH/HARDER relief below the min mark", "", "free_pages: 200", "GFP_ATOMIC",
                    0, true, List.of("fastpath:fail", "kswapd:wake", "slowpath:min:ok"), List.of()),
            Arguments.of("GFP_NOWAIT|__GFP_NOWARN fails silently", "", empty, "GFP_NOWAIT|__GFP_NOWARN", 0, false,
                    List.of("fastpath:fail", "kswapd:wake", "slowpath:min:fail", "nopage"), List.of()),
            Arguments.of("THISNODE without direct reclaim fails before kswapd", "", empty, "GFP_NOWAIT|__GFP_THISNODE",
                    0, false, List.of("fastpath:fail", "nopage"),
                    List.of("req: page allocation failure: order:0, mode:0x2040000")),
            Arguments.of("PF_MEMALLOC takes the reserves", "memalloc", empty, "GFP_KERNEL", 0, true,
                    List.of("fastpath:fail", "kswapd:wake", "slowpath:min:fail", "slowpath:nowmark:ok"), List.of()),
            Arguments.of("PF_MEMALLOC with nothing free does not recurse into reclaim", "memalloc", "free_pages: 0",
                    "GFP_KERNEL", 0, false, List.of("fastpath:fail", "kswapd:wake", "slowpath:min:fail",
                            "slowpath:nowmark:fail", "nopage"),
                    List.of("req: page allocation failure: order:0, mode:0x24000c0")),
            Arguments.of("a memdie task with nothing free gives up", "memdie", "free_pages: 0", "GFP_KERNEL", 0, false,
                    List.of("fastpath:fail", "kswapd:wake", "slowpath:min:fail", "slowpath:nowmark:fail", "nopage"),
                    List.of("req: page allocation failure: order:0, mode:0x24000c0")),
            Arguments.of("NORETRY skips the OOM killer", "", empty, "GFP_KERNEL|__GFP_NORETRY", 0, false,
                    List.of("fastpath:fail", "kswapd:wake", "slowpath:min:fail", "reclaim:0", "noretry", "nopage"),
                    List.of("req: page allocation failure: order:0, mode:0x24010c0")),
            Arguments.of("order 11 is refused without a warning line", "", "free: {10: 2}", "GFP_KERNEL", 11, false,
                    List.of("fastpath:fail"), List.of()),
            Arguments.of("__GFP_HIGH is not honoured on the fast path", "", "free_pages: 300",
                    "GFP_KERNEL|__GFP_HIGH", 0, true, List.of("fastpath:fail", "kswapd:wake", "slowpath:min:ok"),
                    List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exits")
    void slowPathEndsWhereTheKernelDoes(String name, String flags, String normal, String gfp, int order,
            boolean page, List<String> path, List<String> log) {
        ScenarioRunner r = machine(flags, normal);
        EventResult.Alloc res = r.allocate(new AllocRequest(1000, GfpFlags.parse(gfp, r.machine().profile(),
                Arch.X86_64), order, 0));
        assertThat(res.page() != null).as("page").isEqualTo(page);
        assertThat(res.path()).as("path").isEqualTo(path);
        assertThat(res.log()).as("log").isEqualTo(log);
        assertThat(res.oomCalls()).as("oom calls").isEmpty();
    }

    @org.junit.jupiter.api.Test
    void reclaimQuirk44KeepsRetryingWhileAZoneLooksReclaimable() {
        String yaml = """
                sysctl: {min_free_kbytes: 1024}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8, reclaimable_pages: 50}]}]
                tasks:
                  - {pid: 900, comm: java, rss: {0: {anon: 4078}}}
                  - {pid: 1000, comm: req, rss: {0: {anon: 10}}}
                options: {max_retries: 2, reclaim_quirk_44: %s}
                """;
        ScenarioRunner quirk = Yaml.boot(yaml.formatted("true"));
        EventResult.Alloc looping = quirk.allocate(new AllocRequest(1000, GfpFlags.GFP_KERNEL, 0, 0));
        assertThat(looping.path()).containsExactly("fastpath:fail", "kswapd:wake", "slowpath:min:fail", "reclaim:1",
                "retry", "kswapd:wake", "slowpath:min:fail", "reclaim:1", "retry", "kswapd:wake", "slowpath:min:fail",
                "reclaim:1");
        assertThat(looping.oomCalls()).isEmpty();
        ScenarioRunner plain = Yaml.boot(yaml.formatted("false"));
        EventResult.Alloc killing = plain.allocate(new AllocRequest(1000, GfpFlags.GFP_KERNEL, 0, 0));
        assertThat(killing.oom().killed()).containsExactly(900);
    }
}
