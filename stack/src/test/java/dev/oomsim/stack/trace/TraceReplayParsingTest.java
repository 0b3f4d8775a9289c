package dev.oomsim.stack.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.profile.Profile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay parser against a real 6.18 trace and against traces with malformed lines written here. */
class TraceReplayParsingTest {

    /** Matches an allocation line's order and gfp text, written independently of the parser. */
    private static final Pattern ALLOC = Pattern.compile("\\smm_page_alloc: .*\\sorder=(\\d+)\\s.*gfp_flags=(\\S+)");
    private static final Pattern FREE = Pattern.compile("\\smm_page_free: .*\\sorder=(\\d+)");
    private static final Pattern COMM = Pattern.compile("^\\s*(.+?)-(\\d+)\\s+\\[\\d+\\]");

    @TempDir
    Path dir;

    static Path realTrace() {
        return Path.of("../traces/kmem-python-gzip-2cpu.trace.gz");
    }

    static TraceSummary summarize(Path trace, Profile profile, CpuNodeMap cpus) throws IOException {
        TraceSummary s = new TraceSummary(new TraceGfp(profile, Arch.X86_64), cpus);
        try (BufferedReader r = TraceFiles.open(trace)) {
            long n = 0;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                s.add(TraceLineParser.parse(line, ++n));
            }
        }
        return s;
    }

    @Test
    void theReal618TraceParsesWithNoUnparsableLineAndCountsEqualGrep() throws Exception {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = TraceFiles.open(realTrace())) {
            r.lines().forEach(lines::add);
        }
        long headers = lines.stream().filter(l -> l.startsWith("#")).count();
        Map<Integer, Long> allocOrders = new TreeMap<>();
        Map<Integer, Long> freeOrders = new TreeMap<>();
        Map<String, Long> gfpNames = new TreeMap<>();
        Map<String, Long> allocComms = new TreeMap<>();
        for (String l : lines) {
            Matcher a = ALLOC.matcher(l);
            if (a.find()) {
                allocOrders.merge(Integer.parseInt(a.group(1)), 1L, Long::sum);
                for (String name : a.group(2).split("\\|")) {
                    gfpNames.merge(name, 1L, Long::sum);
                }
                Matcher c = COMM.matcher(l);
                assertThat(c.find()).as(l).isTrue();
                allocComms.merge(c.group(1).trim(), 1L, Long::sum);
            }
            Matcher f = FREE.matcher(l);
            if (f.find()) {
                freeOrders.merge(Integer.parseInt(f.group(1)), 1L, Long::sum);
            }
        }

        TraceSummary s = summarize(realTrace(), Profile.MODERN, CpuNodeMap.parse("0:0,1:1"));

        assertThat(s.unparsable()).isEmpty();
        assertThat(s.unparsableCount()).isZero();
        // `zgrep -c '' kmem-python-gzip-2cpu.trace.gz` = 48260; `zgrep -c 'mm_page_alloc:'` = 24171;
        // `zgrep -c 'mm_page_free:'` = 24077; `zgrep -c '^#'` = 12 (run on the file, 2026-12-07).
        assertThat(s.linesRead()).isEqualTo(lines.size()).isEqualTo(48_260);
        assertThat(s.headerLines()).isEqualTo(headers).isEqualTo(12);
        assertThat(s.allocations()).isEqualTo(24_171);
        assertThat(s.frees()).isEqualTo(24_077);
        assertThat(s.allocationsByOrder()).isEqualTo(allocOrders).containsOnlyKeys(0, 4, 6);
        assertThat(s.allocationsByGfpName()).isEqualTo(gfpNames);
        assertThat(s.allocationsByComm()).isEqualTo(allocComms).containsKeys("python3", "bash", "gzip", "head");
        assertThat(s.tree()).extractingByKey("frees").extracting("byOrder").isEqualTo(freeOrders);
        assertThat(s.flagsUnknownToProfile()).isEmpty();
    }

    @Test
    void namesV44DoesNotHaveAreCountedAsWithNoMeaningInTheSeedProfile() throws Exception {
        long accountLines;
        try (BufferedReader r = TraceFiles.open(realTrace())) {
            accountLines = r.lines().filter(l -> l.contains("mm_page_alloc:") && l.contains("|__GFP_ACCOUNT")).count();
        }
        TraceSummary s = summarize(realTrace(), Profile.SEED, CpuNodeMap.ALL_ON_NODE_0);
        assertThat(s.unparsableCount()).isZero();
        assertThat(s.flagsUnknownToProfile()).containsEntry("__GFP_ACCOUNT", accountLines);
        assertThat(accountLines).isPositive();
    }

    @Test
    void gzipAndPlainTextGiveTheSameSummary() throws Exception {
        Path plain = dir.resolve("plain.trace");
        try (BufferedReader r = TraceFiles.open(realTrace())) {
            Files.write(plain, (Iterable<String>) r.lines()::iterator, StandardCharsets.UTF_8);
        }
        assertThat(summarize(plain, Profile.MODERN, CpuNodeMap.ALL_ON_NODE_0).tree())
                .isEqualTo(summarize(realTrace(), Profile.MODERN, CpuNodeMap.ALL_ON_NODE_0).tree());
    }

    @Test
    void malformedLinesAreCountedWithTheirLineNumbersAndReasons() throws Exception {
        String trace = String.join("\n",
                "# tracer: nop",
                "            bash-30980   [000] .....  3933.078252: mm_page_alloc: page=0000000039d3d2bf"
                        + " pfn=0x1907e6 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_COMP",
                "            bash-30980   [000] .....  3933.078253: mm_page_alloc: page=0000000039d3d2bf"
                        + " pfn=0x1907e7 order=x migratetype=1 gfp_flags=GFP_KERNEL",
                "garbage that is no trace line",
                "            bash-30980   [0a0] .....  3933.078254: mm_page_free: page=0000000039d3d2bf"
                        + " pfn=0x1907e6 order=0",
                "            bash-30980   [000] .....  3933.078255: mm_page_free: page=0000000039d3d2bf order=0",
                "            bash-30980   [000] .....  3933.078256: mm_page_alloc: page=0000000039d3d2bf"
                        + " pfn=0x1907e8 order=0 migratetype=1",
                "",
                "            bash-30980   [000] .....  3933.078257: mm_page_free: page=0000000039d3d2bf"
                        + " pfn=0x1907e6 order=0");
        Path file = dir.resolve("bad.trace.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(trace.getBytes(StandardCharsets.UTF_8));
        }
        TraceSummary s = summarize(file, Profile.MODERN, CpuNodeMap.ALL_ON_NODE_0);
        assertThat(s.linesRead()).isEqualTo(9);
        assertThat(s.allocations()).isEqualTo(1);
        assertThat(s.frees()).isEqualTo(1);
        assertThat(s.unparsableCount()).isEqualTo(5);
        assertThat(s.unparsable()).extracting(Unparsable::line).containsExactly(3L, 4L, 5L, 6L, 7L);
        assertThat(s.unparsable()).extracting(Unparsable::reason).containsExactly("no order= field",
                "not a kmem:mm_page_alloc or kmem:mm_page_free line", "bad CPU '0a0'", "no pfn= field",
                "no gfp_flags= field");
    }

    @Test
    void perfScriptLinesCommsWithSpacesOldDecimalPfnsAndFailedAllocationsParse() {
        TraceEvent perf = event("         python3 30984 [001]  3933.079567: kmem:mm_page_alloc: page=0xffffea0006"
                + " pfn=1640423 order=4 migratetype=1 gfp_flags=GFP_KERNEL|__GFP_NOFAIL");
        assertThat(perf).isEqualTo(new TraceEvent.PageAlloc(1, "python3", 30984, 1, 3_933_079_567_000L, 1_640_423,
                4, 1, "GFP_KERNEL|__GFP_NOFAIL"));
        TraceEvent spaced = event("  Web Content-1234  [003] d..1.    12.5: mm_page_free: page=000000 pfn=0x10"
                + " order=2");
        assertThat(spaced).isEqualTo(new TraceEvent.PageFree(1, "Web Content", 1234, 3, 12_500_000_000L, 16, 2));
        TraceEvent dashed = event(" kworker/u4:2-ev-77 (77) [000] ..... 1.000001: mm_page_alloc: page=(nil)"
                + " pfn=0xffffffffffffffff order=9 migratetype=0 gfp_flags=none");
        assertThat(dashed).isInstanceOfSatisfying(TraceEvent.PageAlloc.class, a -> {
            assertThat(a.comm()).isEqualTo("kworker/u4:2-ev");
            assertThat(a.pid()).isEqualTo(77);
            assertThat(a.failed()).isTrue();
        });
        TraceEvent idle = event("          <idle>-0       [000] ..s1.  3933.100611: mm_page_free:"
                + " page=00000000cf1d5bed pfn=0x13fa78 order=0");
        assertThat(idle.comm()).isEqualTo("<idle>");
    }

    @Test
    void cpuNodeMapsRangesAndNamesWhatIsWrong() {
        CpuNodeMap m = CpuNodeMap.parse("0-1:0,2-3:1");
        assertThat(m.nodeOf(1)).isZero();
        assertThat(m.nodeOf(2)).isEqualTo(1);
        assertThat(m.nodeOf(9)).isEqualTo(-1);
        assertThatThrownBy(() -> CpuNodeMap.parse("0-1")).hasMessageContaining("'0-1' has no ':node'");
        assertThatThrownBy(() -> CpuNodeMap.parse("0-1:0,1:1")).hasMessageContaining("CPU 1 is given to node 0 and 1");
    }

    private static TraceEvent event(String line) {
        TraceLineParser.Result r = TraceLineParser.parse(line, 1);
        assertThat(r).as(r.toString()).isInstanceOf(TraceLineParser.Event.class);
        return ((TraceLineParser.Event) r).event();
    }
}
