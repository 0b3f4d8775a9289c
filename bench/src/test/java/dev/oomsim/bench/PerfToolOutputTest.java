package dev.oomsim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The perf tools' summary lines, as Kafka 4.4.0 prints them, read back into figures. */
class PerfToolOutputTest {

    @Test
    void producerSummaryIsReadAndWindowLinesAreIgnored() {
        String out = """
                130938 records sent, 26166.7 records/sec (2.50 MB/sec), 1981.0 ms avg latency, 2712.0 ms max latency.
                12:00:01.000 WARN  some.Logger - a log line that went to stdout
                300000 records sent, 48551.545558 records/sec (4.63 MB/sec), 2285.78 ms avg latency, \
                2742.00 ms max latency, 2467 ms 50th, 2642 ms 95th, 2694 ms 99th, 2740 ms 99.9th.
                """;

        ProducerPerfResult r = ProducerPerfResult.parse(out);

        assertThat(r)
                .isEqualTo(new ProducerPerfResult(300_000, 48551.545558, 4.63, 2285.78, 2742.0, 2467, 2642, 2694,
                2740));
    }

    @Test
    void producerSteadyStateLineWinsOverTheWholeRun() {
        String out = """
                1000 records sent, 5000.000000 records/sec (0.48 MB/sec), 3.00 ms avg latency, 9.00 ms max latency, \
                2 ms 50th, 5 ms 95th, 8 ms 99th, 9 ms 99.9th.
                900 steady state records sent, 6000.000000 records/sec (0.57 MB/sec), 2.00 ms avg latency, \
                7.00 ms max latency, 1 ms 50th, 4 ms 95th, 6 ms 99th, 7 ms 99.9th.
                """;

        assertThat(ProducerPerfResult.parse(out).recordsPerSec()).isEqualTo(6000.0);
    }

    @Test
    void producerOutputWithoutSummaryIsAnErrorQuotingTheOutput() {
        assertThatThrownBy(() -> ProducerPerfResult.parse("org.apache.kafka.common.errors.TimeoutException: boom\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no ProducerPerformance summary")
                .hasMessageContaining("TimeoutException: boom");
    }

    @Test
    void consumerSummaryIsReadFromTheHeaderlessCsvLine() {
        String out = """
                Warning: a deprecation notice
                2026-11-25 14:19:18:380, 2026-11-25 14:19:19:641, 28.6102, 22.6885, 300000, \
                237906.4235, 473, 788, 36.3074, 380710.6599
                """;

        ConsumerPerfResult r = ConsumerPerfResult.parse(out);

        assertThat(r)
                .isEqualTo(new ConsumerPerfResult(28.6102, 22.6885, 300_000, 237906.4235, 473, 788, 36.3074,
                380710.6599));
    }

    @Test
    void consumerOutputWithoutSummaryIsAnError() {
        assertThatThrownBy(() -> ConsumerPerfResult.parse("WARNING: Exiting before consuming the expected number of "
                + "records\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no ConsumerPerformance summary");
    }
}
