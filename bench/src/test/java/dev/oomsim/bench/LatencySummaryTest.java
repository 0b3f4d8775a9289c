package dev.oomsim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencySummaryTest {

    @Test
    void percentilesAreNearestRankInMillisecondsWithNanosecondResolution() {
        long[] nanos = new long[1000];
        for (int i = 0; i < nanos.length; i++) {
            nanos[nanos.length - 1 - i] = (i + 1) * 1_000L; // 1 µs .. 1 ms, reversed
        }

        LatencySummary s = LatencySummary.ofNanos(nanos);

        assertThat(s.count()).isEqualTo(1000);
        assertThat(s.p50Ms()).isEqualTo(0.5);
        assertThat(s.p99Ms()).isEqualTo(0.99);
        assertThat(s.p999Ms()).isEqualTo(0.999);
        assertThat(s.maxMs()).isEqualTo(1.0);
        assertThat(s.avgMs()).isCloseTo(0.5005, within(1e-9));
    }

    @Test
    void oneSampleIsEveryPercentile() {
        LatencySummary s = LatencySummary.ofNanos(new long[] {650_000});

        assertThat(s.p50Ms()).isEqualTo(0.65);
        assertThat(s.p999Ms()).isEqualTo(0.65);
    }

    @Test
    void noSamplesIsAnError() {
        assertThatThrownBy(() -> LatencySummary.ofNanos(new long[0])).hasMessageContaining("no latencies");
    }

    @Test
    void percentilesOutOfOrderAreRejected() {
        assertThatThrownBy(() -> new LatencySummary(10, 1, 2, 1, 3, 4)).hasMessageContaining("out of order");
    }
}
