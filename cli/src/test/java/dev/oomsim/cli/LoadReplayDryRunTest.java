package dev.oomsim.cli;

import static dev.oomsim.cli.SimulateCommandTest.oomsim;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.cli.SimulateCommandTest.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code oomsim load --replay TRACE --dry-run}: one summary object, unparsable lines named by number. */
class LoadReplayDryRunTest {

    private static final String TRACE = "../traces/kmem-python-gzip-2cpu.trace.gz";

    @Test
    void theReal618TraceGivesOneJsonSummaryWithNoUnparsableLine() throws IOException {
        Result r = oomsim("load", "--replay", TRACE, "--dry-run", "--json", "--cpu-node", "0:0,1:1", "--quiet");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode s = new ObjectMapper().readTree(r.out());
        assertThat(s.get("linesRead").asLong()).isEqualTo(48_260);
        assertThat(s.at("/allocations/total").asLong()).isEqualTo(24_171);
        assertThat(s.at("/frees/total").asLong()).isEqualTo(24_077);
        assertThat(s.at("/unparsable/count").asLong()).isZero();
        assertThat(s.at("/allocations/byComm/python3").asLong()).isPositive();
        assertThat(s.at("/eventsByNode/0").asLong() + s.at("/eventsByNode/1").asLong()).isEqualTo(24_171 + 24_077);
    }

    @Test
    void theSeedProfileNamesTheFlagsItHasNoMeaningFor() throws IOException {
        Result r = oomsim("load", "--replay", TRACE, "--dry-run", "--json", "--profile", "seed", "--quiet");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode s = new ObjectMapper().readTree(r.out());
        assertThat(s.get("profile").asText()).isEqualTo("seed");
        assertThat(s.at("/flagsWithNoMeaningInProfile/__GFP_ACCOUNT").asLong()).isPositive();
    }

    @Test
    void unparsableLinesAreReportedWithTheirNumbers(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("bad.trace");
        Files.writeString(trace, "# tracer: nop\n"
                + "  bash-1  [000] .....  1.000001: mm_page_alloc: page=00 pfn=0x10 order=0 migratetype=0"
                + " gfp_flags=GFP_KERNEL\n"
                + "  bash-1  [000] .....  1.000002: mm_page_free: page=00 order=0\n", StandardCharsets.UTF_8);

        Result r = oomsim("load", "--replay", trace.toString(), "--dry-run", "--quiet");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("lines read: 3 (1 header lines)").contains("unparsable lines: 1");
        assertThat(r.err()).contains("bad.trace: line 3: no pfn= field");
    }

    @Test
    void badUsageNamesWhatToFix(@TempDir Path dir) {
        Result missing = oomsim("load", "--replay", dir.resolve("none.trace").toString(), "--dry-run");
        assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("none.trace: no such file");
        Result cpus = oomsim("load", "--replay", TRACE, "--dry-run", "--cpu-node", "0-1");
        assertThat(cpus.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(cpus.err()).contains("--cpu-node: '0-1' has no ':node'");
        Result both = oomsim("load", "--replay", TRACE, "--workload", "w.yaml");
        assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
    }
}
