package dev.oomsim.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.oomsim.bench.BenchReport;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.BenchRunner;
import dev.oomsim.bench.BenchSettings;
import dev.oomsim.bench.Verdict;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The coordinator rows with tiny counts on a real broker: the topology and the pass-through over one small mix, a few
 * kills awaited in a running coordinator's {@code /api/kills}, a coordinator service in a child JVM answering heap
 * readings once it shows a 64-node mix. Rows are checked for shape, never for speed.
 */
class CoordinatorBenchmarksIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    @Test
    void coordinatorRowsRunAgainstTheirBaselinesWithTinyCounts() {
        // 10 000 produced records: a heap mix of 1 000 events; 2 000 events folded; 5 kills.
        BenchSettings settings = BenchSettings.quick(100).withCounts(500, 10_000, 10, 50);
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        BenchReport report = new BenchRunner(settings, List.of(new CoordinatorFoldBenchmark(2_000),
                new CoordinatorKillLatencyBenchmark(5), new CoordinatorHeapBenchmark()),
                new PrintStream(log, true, StandardCharsets.UTF_8)).runLiveOn(KAFKA.bootstrapServers());

        List<BenchRow> rows = report.rows();
        BenchRow pass = row(rows, "Streams pass-through, 2,004 events");
        BenchRow fold = row(rows, "coordinator fold, 2,004 progress/node-state/kill events, 4 nodes");
        assertThat(List.of(pass, fold)).allSatisfy(r -> {
            assertThat(r.value()).isPositive();
            assertThat(r.unit()).isEqualTo("rec/s");
        });
        assertThat(fold.baseline()).hasValueSatisfying(b -> assertThat(b.value()).isEqualTo(pass.value()));
        assertThat(fold.targetText()).isEqualTo("≥ 0.7× Streams pass-through, same input and settings");
        assertThat(fold.verdict()).isIn(Verdict.PASS, Verdict.FAIL);

        BenchRow p50 = row(rows, "kill produced on kills → listed in /api/kills, coordinator (5 kills) p50");
        BenchRow p99 = row(rows, "kill produced on kills → listed in /api/kills, coordinator (5 kills) p99");
        assertThat(p50.value()).isPositive().isLessThanOrEqualTo(p99.value());
        assertThat(p99.targetText()).startsWith("≤ 1× commit interval (100 ms) + 3× broker RTT p99");
        assertThat(p99.baseline()).hasValueSatisfying(b -> assertThat(b.value()).isGreaterThan(100));

        BenchRow live = row(rows, "coordinator heap, 64 nodes, 10,000 tasks, live");
        BenchRow loaded = row(rows, "coordinator heap, 64 nodes, 10,000 tasks, after folding 1,064 events");
        assertThat(List.of(live, loaded)).allSatisfy(r -> {
            assertThat(r.value()).isBetween(1.0, 768.0);
            assertThat(r.unit()).isEqualTo("MiB");
            assertThat(r.targetText()).isEqualTo("≤ 256 MiB");
        });
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("coordinator heap: folded");
    }

    private static BenchRow row(List<BenchRow> rows, String prefix) {
        return rows.stream().filter(r -> r.name().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no row starting " + prefix + " in " + rows.stream()
                        .map(BenchRow::name).toList()));
    }
}
