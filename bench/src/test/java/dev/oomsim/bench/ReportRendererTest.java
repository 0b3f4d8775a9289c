package dev.oomsim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ReportRendererTest {

    static BenchReport report() {
        List<BenchRow> rows = new ArrayList<>(BenchRowTest.BASELINES.rows());
        rows.add(BenchRow.against("tryLock p99 | uncontended", 3.5, "ms", BenchRowTest.BASELINES, Baseline.RTT_P99,
                Target.atMostTimesBaseline(1.2)));
        rows.add(BenchRow.of("pairs", 12e6, "pairs/s", Target.atLeast(10e6)).withError(0.4e6));
        MachineInfo machine = new MachineInfo(2, "AMD EPYC", 24L << 30, "Linux 6.1 amd64", "OpenJDK 17", "4.4.0",
                Instant.parse("2026-11-25T14:00:00Z"), Optional.of("abc123"), 0.5);
        return new BenchReport(machine, BenchSettings.quick(100), rows, Duration.ofSeconds(42));
    }

    @Test
    void markdownIsHeadedByTheMachineAndHasOneTableLinePerRow() {
        BenchReport report = report();

        String md = ReportRenderer.markdown(report);

        assertThat(md).startsWith("# Benchmarks\n")
                .contains("- machine: 2 cores (AMD EPYC), 24.0 GiB memory, load average 0.50 at the start")
                .contains("- kafka: 4.4.0").contains("commit: abc123")
                .contains("- mode: quick, record size 100 B, run took 42 s")
                .contains("| benchmark | value | unit | baseline | ratio | target | verdict |")
                .contains("| tryLock p99 \\| uncontended | 3.5 | ms | broker RTT p99 2.5 ms | 1.4× | ≤ 1.2× broker "
                        + "RTT p99 | fail |")
                .contains("| pairs | 12 M ± 400 k | pairs/s |  |  | ≥ 10 M pairs/s | pass |");
        assertThat(md.lines().filter(l -> l.startsWith("| ")).count()).isEqualTo(report.rows().size() + 1);
    }

    @Test
    void consoleTableAlignsColumnsAndCountsVerdicts() {
        String table = ReportRenderer.table(report());

        assertThat(table).contains("benchmark").contains("verdict")
                .contains("12 rows: 1 pass, 1 fail, 10 for information");
    }

    @Test
    void jsonCarriesRawValuesRatiosAndVerdicts() throws Exception {
        JsonNode root = new ObjectMapper().readTree(ReportRenderer.json(report()));

        assertThat(root.path("machine").path("cpus").asInt()).isEqualTo(2);
        assertThat(root.path("settings").path("mode").asText()).isEqualTo("quick");
        JsonNode lock = root.path("rows").get(10);
        assertThat(lock.path("name").asText()).isEqualTo("tryLock p99 | uncontended");
        assertThat(lock.path("ratio").asDouble()).isEqualTo(1.4);
        assertThat(lock.path("baseline").path("value").asDouble()).isEqualTo(2.5);
        assertThat(lock.path("verdict").asText()).isEqualTo("fail");
        assertThat(root.path("rows").get(0).path("baseline").isNull()).isTrue();
        assertThat(root.path("rows").get(11).path("error").asDouble()).isEqualTo(0.4e6);
        assertThat(lock.path("error").isNull()).isTrue();
        assertThat(root.path("failures").asLong()).isEqualTo(1);
    }
}
