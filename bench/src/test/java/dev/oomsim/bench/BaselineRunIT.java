package dev.oomsim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.oomsim.bench.live.AllocRequestProduceBenchmark;
import dev.oomsim.bench.live.ClusterLockBenchmark;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The quick baseline with tiny counts on a real broker: Kafka's perf tools run in-process and their output is read,
 * the round-trip loop runs, a live benchmark is compared with the baselines. Rows are checked for shape, never for
 * speed (timings on a shared 2-core machine are noise).
 */
class BaselineRunIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    @Test
    void quickBaselineWithTinyCountsYieldsWellFormedRows() {
        BenchSettings settings = BenchSettings.quick(100).withCounts(2_000, 5_000, 10, 50);
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        BenchReport report = new BenchRunner(settings,
                List.of(new AllocRequestProduceBenchmark(), new ClusterLockBenchmark()),
                new PrintStream(log, true, StandardCharsets.UTF_8)).runLiveOn(KAFKA.bootstrapServers());

        List<BenchRow> rows = report.rows();
        assertThat(rows).allSatisfy(r -> assertThat(r.value()).as(r.name()).isNotNegative());
        assertThat(value(rows, "broker produce, ProducerPerformance (100 B)", "rec/s")).isPositive();
        assertThat(value(rows, "broker consume, ConsumerPerformance fetch (100 B)", "rec/s")).isPositive();
        double p50 = value(rows, "broker RTT p50, EndToEndLatency loop (100 B)", "ms");
        double p99 = value(rows, "broker RTT p99, EndToEndLatency loop (100 B)", "ms");
        double p999 = value(rows, "broker RTT p99.9, EndToEndLatency loop (100 B)", "ms");
        assertThat(p50).isPositive().isLessThanOrEqualTo(p99);
        assertThat(p99).isLessThanOrEqualTo(p999);
        double txnP50 = value(rows, "transactional round trip p50, read_committed consume→produce + offsets (100 B)",
                "ms");
        double txnP99 = value(rows, "transactional round trip p99, read_committed consume→produce + offsets (100 B)",
                "ms");
        assertThat(txnP50).isPositive().isLessThanOrEqualTo(txnP99);

        BenchRow produce = rows.stream().filter(r -> r.name().startsWith("alloc-requests produce")).findFirst()
                .orElseThrow();
        double baseline = value(rows, "broker produce, ProducerPerformance (100 B)", "rec/s");
        assertThat(produce.baseline()).hasValueSatisfying(b -> {
            assertThat(b.label()).isEqualTo(Baseline.PRODUCE_THROUGHPUT.label());
            assertThat(b.value()).isEqualTo(baseline);
        });
        assertThat(produce.ratio()).hasValue(produce.value() / baseline);
        assertThat(produce.verdict()).isIn(Verdict.PASS, Verdict.FAIL);
        assertThat(produce.targetText()).isEqualTo("≥ 0.7× broker produce");

        BenchRow lockP50 = row(rows, "cluster tryLock uncontended p50 (vs RTT p50)");
        BenchRow lockP99 = row(rows, "cluster tryLock uncontended p99 (vs RTT p99)");
        BenchRow contendedP50 = row(rows, "cluster tryLock 8 contenders, acquired p50 (vs RTT p50)");
        BenchRow grants = rows.stream()
                .filter(r -> r.name().startsWith("cluster tryLock grants, 8 contenders in one JVM"))
                .findFirst().orElseThrow();
        BenchRow grantsInJvms = rows.stream()
                .filter(r -> r.name().startsWith("cluster tryLock grants, 8 contenders in 8 JVMs"))
                .findFirst().orElseThrow();
        assertThat(lockP50.value()).isPositive().isLessThanOrEqualTo(lockP99.value());
        assertThat(lockP50.ratio()).hasValue(lockP50.value() / p50);
        assertThat(lockP99.ratio()).hasValue(lockP99.value() / p99);
        assertThat(contendedP50.ratio()).hasValue(contendedP50.value() / p50);
        assertThat(lockP50.targetText()).isEqualTo("≤ 1.2× broker RTT p50");
        assertThat(lockP99.targetText()).isEqualTo("≤ 2× broker RTT p99");
        assertThat(contendedP50.targetText()).isEqualTo("≤ 2.5× broker RTT p50");
        assertThat(grants.unit()).isEqualTo("grants/s");
        assertThat(grants.value()).isPositive();
        assertThat(grants.targetText()).isEqualTo("≥ 0.7× 1 / (2 × RTT p50)");
        assertThat(grants.baseline()).hasValueSatisfying(b -> assertThat(b.value()).isEqualTo(1000 / (2 * p50)));
        assertThat(grantsInJvms.value()).as("grants by contenders in their own JVMs").isPositive();
        assertThat(grantsInJvms.targetText()).isEqualTo("≥ 0.7× 1 / (2 × RTT p50)");

        assertThat(ReportRenderer.markdown(report))
                .contains("| alloc-requests produce", "| cluster tryLock uncontended p99 (vs RTT p99)");
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("ProducerPerformance: 5000 records", "round trips: 50",
                "transactional round trips: 200");
    }

    private static BenchRow row(List<BenchRow> rows, String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name + " in " + rows));
    }

    private static double value(List<BenchRow> rows, String name, String unit) {
        return rows.stream().filter(r -> r.name().equals(name) && r.unit().equals(unit))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + name + " [" + unit + "] in " + rows))
                .value();
    }
}
