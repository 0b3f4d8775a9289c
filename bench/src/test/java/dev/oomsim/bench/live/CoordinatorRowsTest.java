package dev.oomsim.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class CoordinatorRowsTest {

    @Test
    void theKillBudgetIsOneCommitIntervalAndThreeRoundTrips() {
        assertThat(CoordinatorKillLatencyBenchmark.budgetMs(Duration.ofMillis(100), 2.5)).isEqualTo(107.5);
    }

    @Test
    void quickRunsAreSmallAndFullRunsTenTimesLarger() {
        assertThat(CoordinatorFoldBenchmark.events(100_000)).isEqualTo(20_000);
        assertThat(CoordinatorFoldBenchmark.events(1_000_000)).isEqualTo(200_000);
        assertThat(CoordinatorKillLatencyBenchmark.samples(500)).isEqualTo(100);
        assertThat(CoordinatorKillLatencyBenchmark.samples(10_000)).isEqualTo(1_000);
        assertThat(CoordinatorHeapBenchmark.events(100_000)).isEqualTo(10_000);
        assertThat(CoordinatorHeapBenchmark.events(1_000_000)).isEqualTo(100_000);
    }
}
