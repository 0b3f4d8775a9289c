package dev.oomsim.kernel.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import org.junit.jupiter.api.Test;

/**
 * Spec conformance written from docs/kernel-model.md alone, without reading the implementation: each expectation
 * below was worked out by hand from the spec's rules and constants (and from the v4.4 sources where the spec
 * points there). A failure means the model or this derivation misreads the spec: find out which.
 */
class SpecConformanceTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static List<Map<String, Object>> run(String yaml) throws Exception {
        ScenarioRun run = ScenarioRunner.run(YAML.readValue(yaml, Object.class));
        return run.toTrees();
    }

    @SuppressWarnings("unchecked")
    private static Object at(Object tree, String path) {
        Object cur = tree;
        for (String part : path.split("\\.")) {
            if (cur instanceof Map<?, ?> m) {
                cur = ((Map<String, Object>) m).get(part);
            } else if (cur instanceof List<?> l) {
                cur = l.get(Integer.parseInt(part));
            } else {
                throw new AssertionError("no " + part + " in " + cur + " (path " + path + ")");
            }
        }
        return cur;
    }

    private static long num(Object tree, String path) {
        return ((Number) at(tree, path)).longValue();
    }

    /** §6: boot arithmetic of the spec's worked example, computed from first principles. */
    @Test
    void bootArithmeticOfTheWorkedExample() throws Exception {
        var lines = run("""
                nodes:
                  - id: 0
                    spanned_pages: 1000000
                    zones:
                      - {type: DMA, managed_pages: 4000, free_pages: 4000}
                      - {type: DMA32, managed_pages: 196000, free_pages: 196000}
                      - {type: NORMAL, managed_pages: 800000, free_pages: 800000}
                tasks: []
                events: []
                """);
        Object boot = at(lines.get(0), "boot");
        // lowmem_kB = 4 x 1,000,000; min_free_kbytes = floor(sqrt(16 x 4,000,000)) = 8000 -> pages_min = 2000
        assertThat(num(boot, "min_free_kbytes")).isEqualTo(8000);
        assertThat(num(boot, "totalram_pages")).isEqualTo(1_000_000);
        List<?> zones = (List<?>) at(boot, "zones");
        assertThat(zones).hasSize(3);
        // tmp = floor(2000 x managed / 1,000,000): DMA 8, DMA32 392, NORMAL 1600; low = min + tmp/4, high = min + tmp/2
        assertThat(at(zones.get(0), "watermarks")).isEqualTo(Map.of("min", 8L, "low", 10L, "high", 12L));
        assertThat(at(zones.get(1), "watermarks")).isEqualTo(Map.of("min", 392L, "low", 490L, "high", 588L));
        assertThat(at(zones.get(2), "watermarks")).isEqualTo(Map.of("min", 1600L, "low", 2000L, "high", 2400L));
        assertThat(at(zones.get(0), "lowmem_reserve")).isEqualTo(List.of(0L, 765L, 3890L, 3890L));
        assertThat(at(zones.get(1), "lowmem_reserve")).isEqualTo(List.of(0L, 0L, 3125L, 3125L));
        assertThat(at(zones.get(2), "lowmem_reserve")).isEqualTo(List.of(0L, 0L, 0L, 0L));
    }

    private static final String ONE_NODE_FULL = """
            profile: %s
            sysctl: {min_free_kbytes: 8000}
            oom_lock: %s
            suspended_storage: %s
            nodes:
              - id: 0
                zones:
                  - {type: NORMAL, managed_pages: 1000000, free_pages: 100}
            tasks:
              - {pid: 1, comm: init, flags: [global_init], rss: {0: {anon: 50}}}
              - {pid: 900, comm: java, uid: 1000, rss: {0: {anon: 195000, file: 5000}},
                 nr_ptes: 500, nr_pmds: 4, total_vm: 1000000}
              - {pid: 901, comm: java-twin, uid: 1000, rss: {0: {anon: 195000, file: 5000}},
                 nr_ptes: 500, nr_pmds: 4, total_vm: 1000000, %s}
              - {pid: 1000, comm: bash, rss: {0: {anon: 100}}, nr_ptes: 10, total_vm: 5000, flags: %s}
            events:
              - %s
            """;

    private static List<Map<String, Object>> oneNode(String profile, String lock, boolean suspended, String twin,
            String bashFlags, String event) throws Exception {
        return run(ONE_NODE_FULL.formatted(profile, lock, suspended, twin, bashFlags, event));
    }

    /** §9 rows 1 and 3-8, through the mayOom entry point: progress and whether out_of_memory ran. */
    @Test
    @SuppressWarnings("unchecked")
    void mayOomRowsDecideProgressWithoutKilling() throws Exception {
        record Row(String lock, boolean suspended, String flags, String gfp, int order, int progress, String step) {
        }
        List<Row> rows = List.of(
                new Row("held", false, "[]", "GFP_KERNEL", 0, 1, "may_oom:trylock-fail"),
                new Row("free", false, "[dumpcore]", "GFP_KERNEL", 0, 0, "may_oom:skip:dumpcore"),
                new Row("free", false, "[]", "GFP_KERNEL", 4, 0, "may_oom:skip:costly"),
                new Row("free", false, "[]", "GFP_KERNEL|GFP_DMA32", 0, 0, "may_oom:skip:lowmem"),
                new Row("free", false, "[]", "GFP_NOFS", 0, 1, "may_oom:skip:nofs"),
                new Row("free", true, "[]", "GFP_KERNEL", 0, 0, "may_oom:skip:suspended"),
                new Row("free", false, "[]", "GFP_KERNEL|__GFP_THISNODE", 0, 0, "may_oom:skip:thisnode"));
        for (Row row : rows) {
            var lines = oneNode("seed", row.lock(), row.suspended(), "oom_score_adj: 0", row.flags(),
                    "may_oom: {pid: 1000, gfp: \"" + row.gfp() + "\", order: " + row.order() + ", node: 0}");
            Object r = lines.get(1);
            assertThat(num(r, "did_some_progress")).as("%s", row).isEqualTo(row.progress());
            assertThat(at(r, "oom")).as("%s", row).isNull();
            assertThat(at(r, "page")).as("%s", row).isNull();
            assertThat((List<Object>) at(r, "path")).as("%s", row).contains(row.step());
        }
    }

    /** §9 rows 3-8 are skipped with NOFAIL in the seed: a costly NOFAIL request may kill. */
    @Test
    @SuppressWarnings("unchecked")
    void nofailSkipsTheFiltersInTheSeed() throws Exception {
        var lines = oneNode("seed", "free", false, "oom_score_adj: 0", "[]",
                "may_oom: {pid: 1000, gfp: \"GFP_KERNEL|__GFP_NOFAIL\", order: 4, node: 0}");
        Object r = lines.get(1);
        assertThat(at(r, "oom.invoked")).isEqualTo(true);
        assertThat(num(r, "did_some_progress")).isEqualTo(1);
        assertThat((List<Object>) at(r, "oom.killed")).containsExactly(900);
    }

    /**
     * §10b/10d/11: points = rss + ptes + pmds + swap = 200504; score = 200504 x 1000 / 1e6 = 200; a tie goes to the
     * earlier process in the seed and to the later one in modern; the dump_tasks rows in printf layout.
     */
    @Test
    void globalKillPointsScoreTieAndLogLines() throws Exception {
        var seed = oneNode("seed", "free", false, "oom_score_adj: 0", "[]",
                "alloc: {pid: 1000, gfp: GFP_KERNEL, order: 0, node: 0}");
        Object r = seed.get(1);
        assertThat(num(r, "oom.totalpages")).isEqualTo(1_000_000);
        assertThat(at(r, "oom.constraint")).isEqualTo("CONSTRAINT_NONE");
        assertThat(num(r, "oom.chosen.pid")).isEqualTo(900);
        assertThat(num(r, "oom.chosen.points")).isEqualTo(200504);
        assertThat(num(r, "oom.chosen.score")).isEqualTo(200);
        assertThat(at(r, "page")).isNotNull();
        @SuppressWarnings("unchecked")
        List<String> log = (List<String>) at(r, "log");
        String layout = "[%5d] %5d %5d %8d %8d %7d %7d %8d         %5d %s";
        assertThat(log).containsExactly(
                "bash invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0",
                "bash cpuset=/ mems_allowed=0",
                "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
                String.format(layout, 900, 1000, 900, 1000000, 200000, 500, 4, 0, 0, "java"),
                String.format(layout, 901, 1000, 901, 1000000, 200000, 500, 4, 0, 0, "java-twin"),
                String.format(layout, 1000, 0, 1000, 5000, 100, 10, 0, 0, 0, "bash"),
                "Out of memory: Kill process 900 (java) score 200 or sacrifice child",
                "Killed process 900 (java) total-vm:4000000kB, anon-rss:780000kB, file-rss:20000kB");

        var modern = oneNode("modern", "free", false, "oom_score_adj: 0", "[]",
                "alloc: {pid: 1000, gfp: GFP_KERNEL, order: 0, node: 0}");
        assertThat(num(modern.get(1), "oom.chosen.pid")).isEqualTo(901);
    }

    /** §10d: CAP_SYS_ADMIN takes 3% (floor of 3p/100); adj adds adj x floor(totalpages/1000). */
    @Test
    void rootBonusAndAdjScaling() throws Exception {
        var admin = oneNode("seed", "free", false, "cap_sys_admin: true", "[]", "oom_score: {pid: 901}");
        // 200504 - floor(601512 / 100) = 200504 - 6015 = 194489; oom_score = 194489 x 1000 / 1e6 = 194
        assertThat(num(admin.get(1), "oom_score")).isEqualTo(194);

        var adj = oneNode("seed", "free", false, "oom_score_adj: 500", "[]", "oom_score: {pid: 901}");
        // 200504 + 500 x 1000 = 700504 -> 700
        assertThat(num(adj.get(1), "oom_score")).isEqualTo(700);
    }

    /** §10b step 4: an oom_origin task is chosen with ULONG_MAX points, printed as a wrapped, truncated score. */
    @Test
    void oomOriginScoreWrapsLikeTheKernel() throws Exception {
        var lines = oneNode("seed", "free", false, "flags: [oom_origin]", "[]",
                "alloc: {pid: 1000, gfp: GFP_KERNEL, order: 0, node: 0}");
        Object r = lines.get(1);
        assertThat(num(r, "oom.chosen.pid")).isEqualTo(901);
        assertThat(num(r, "oom.chosen.score")).isEqualTo(4154504685L);
    }
}
