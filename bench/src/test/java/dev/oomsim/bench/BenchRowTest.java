package dev.oomsim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class BenchRowTest {

    static final Baselines BASELINES = new Baselines(100,
            new ProducerPerfResult(1_000_000, 250_000, 23.8, 3.0, 30.0, 2, 5, 9, 20),
            new ConsumerPerfResult(95.4, 80, 1_000_000, 1_200_000, 100, 600, 159, 1_600_000),
            new LatencySummary(1000, 0.7, 0.6, 2.5, 4.0, 6.0),
            new LatencySummary(200, 5.0, 4.5, 12.0, 15.0, 15.0));

    @Test
    void ratioIsValueOverBaselineAndDecidesARelativeTarget() {
        BenchRow row = BenchRow.against("agent events", 200_000, "rec/s", BASELINES, Baseline.PRODUCE_THROUGHPUT,
                Target.atLeastTimesBaseline(0.7));

        assertThat(row.ratio()).hasValue(0.8);
        assertThat(row.verdict()).isEqualTo(Verdict.PASS);
        assertThat(row.targetText()).isEqualTo("≥ 0.7× broker produce");
    }

    @Test
    void latencyAboveItsRelativeLimitFails() {
        BenchRow row = BenchRow.against("tryLock p99", 3.5, "ms", BASELINES, Baseline.RTT_P99,
                Target.atMostTimesBaseline(1.2));

        assertThat(row.ratio().getAsDouble()).isEqualTo(1.4);
        assertThat(row.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(row.targetText()).isEqualTo("≤ 1.2× broker RTT p99");
    }

    @Test
    void absoluteTargetsIgnoreTheBaseline() {
        BenchRow fast = BenchRow.of("pairs", 12e6, "pairs/s", Target.atLeast(10e6));
        BenchRow slow = BenchRow.of("outOfMemory", 1.5, "ms/op", Target.atMost(1));

        assertThat(fast.verdict()).isEqualTo(Verdict.PASS);
        assertThat(fast.targetText()).isEqualTo("≥ 10 M pairs/s");
        assertThat(fast.ratio()).isEmpty();
        assertThat(slow.verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void rowsWithoutTargetAreForInformation() {
        assertThat(BenchRow.info("x", 1, "ms").verdict()).isEqualTo(Verdict.INFO);
        assertThat(BenchRow.info("x", 1, "ms").targetText()).isEmpty();
    }

    @Test
    void derivedBaselineIsTheProducerCostPerRecord() {
        assertThat(BASELINES.value(Baseline.PRODUCE_COST_PER_RECORD)).isEqualTo(4000.0);
        assertThat(BASELINES.value(Baseline.CONSUME_THROUGHPUT)).isEqualTo(1_600_000.0);
    }

    @Test
    void relativeTargetWithoutBaselineIsRejected() {
        assertThatThrownBy(() -> BenchRow.of("x", 1, "ms", Target.atMostTimesBaseline(1.2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a baseline");
        assertThatThrownBy(() -> new JmhRow("m", Map.of(), "x", null, Optional.empty(), Target.atLeastTimesBaseline(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a baseline");
    }

    @Test
    void nonFiniteValuesAreRejectedNamingTheRow() {
        assertThatThrownBy(() -> BenchRow.info("rtt", Double.NaN, "ms")).hasMessageContaining("rtt")
                .hasMessageContaining("NaN");
    }

    @Test
    void jmhScoreBecomesARowInTheScoreUnitUnlessOverridden() {
        JmhRow spec = JmhRow.against("encode", "Avro encode", Baseline.PRODUCE_COST_PER_RECORD,
                Target.atMostTimesBaseline(0.5));

        BenchRow row = spec.toRow(400, 12.5, "ns/op", BASELINES);
        BenchRow pairs = JmhRow.of("pair", "pairs", Target.atLeast(10e6)).withUnit("pairs/s")
                .toRow(11e6, Double.NaN, "ops/s", BASELINES);

        assertThat(row.unit()).isEqualTo("ns/op");
        assertThat(row.ratio()).hasValue(0.1);
        assertThat(row.verdict()).isEqualTo(Verdict.PASS);
        assertThat(row.error()).hasValue(12.5);
        assertThat(pairs.error()).isEmpty();
        assertThat(pairs.unit()).isEqualTo("pairs/s");
        assertThat(pairs.verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void figuresPrintWithThreeSignificantDigits() {
        assertThat(Figures.format(312_456)).isEqualTo("312 k");
        assertThat(Figures.format(1_620_000)).isEqualTo("1.62 M");
        assertThat(Figures.format(0.6543)).isEqualTo("0.654");
        assertThat(Figures.format(22.64)).isEqualTo("22.6");
        assertThat(Figures.format(0)).isEqualTo("0");
        assertThat(Figures.ratio(0.75)).isEqualTo("0.75×");
    }
}
