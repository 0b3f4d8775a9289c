package dev.oomsim.bench;

import java.util.List;

/**
 * The broker's raw figures of one bench run, shared by every row.
 *
 * @param recordSizeBytes value size of every baseline record
 * @param produce         {@code ProducerPerformance}'s summary
 * @param consume         {@code ConsumerPerformance}'s summary
 * @param roundTrip       the one-at-a-time produce→consume round trips
 * @param transactionalRoundTrip the one-at-a-time exactly-once consume→produce steps
 *                               ({@link TransactionalRoundTripLoop})
 */
public record Baselines(int recordSizeBytes, ProducerPerfResult produce, ConsumerPerfResult consume,
        LatencySummary roundTrip,
                        LatencySummary transactionalRoundTrip) {

    public Baselines {
        if (produce == null || consume == null || roundTrip == null || transactionalRoundTrip == null) {
            throw new IllegalArgumentException("every baseline must be measured");
        }
    }

    public double value(Baseline baseline) {
        return switch (baseline) {
            case PRODUCE_THROUGHPUT -> produce.recordsPerSec();
            case CONSUME_THROUGHPUT -> consume.fetchRecordsPerSec();
            case PRODUCE_COST_PER_RECORD -> 1e9 / produce.recordsPerSec();
            case RTT_P50 -> roundTrip.p50Ms();
            case RTT_P99 -> roundTrip.p99Ms();
            case EOS_KILL_FLOOR_P50 -> transactionalRoundTrip.p50Ms() + roundTrip.p50Ms();
            case EOS_KILL_FLOOR_P99 -> transactionalRoundTrip.p99Ms() + roundTrip.p99Ms();
            case LOCK_GRANT_FLOOR -> 1000 / (2 * roundTrip.p50Ms());
        };
    }

    public BaselineRef ref(Baseline baseline) {
        return BaselineRef.of(baseline, value(baseline));
    }

    /** The baselines themselves as table rows (for information: they are what the other rows are judged by). */
    public List<BenchRow> rows() {
        String size = " (" + recordSizeBytes + " B)";
        return List.of(
                BenchRow.info("broker produce, ProducerPerformance" + size, produce.recordsPerSec(), "rec/s"),
                BenchRow.info("broker produce, ProducerPerformance" + size, produce.mbPerSec(), "MB/s"),
                BenchRow.info("broker consume, ConsumerPerformance fetch" + size, consume.fetchRecordsPerSec(),
                        "rec/s"),
                BenchRow.info("broker consume, ConsumerPerformance fetch" + size, consume.fetchMbPerSec(), "MB/s"),
                BenchRow.info("broker RTT avg, EndToEndLatency loop" + size, roundTrip.avgMs(), "ms"),
                BenchRow.info("broker RTT p50, EndToEndLatency loop" + size, roundTrip.p50Ms(), "ms"),
                BenchRow.info("broker RTT p99, EndToEndLatency loop" + size, roundTrip.p99Ms(), "ms"),
                BenchRow.info("broker RTT p99.9, EndToEndLatency loop" + size, roundTrip.p999Ms(), "ms"),
                BenchRow.info("transactional round trip p50, read_committed consume→produce + offsets" + size,
                        transactionalRoundTrip.p50Ms(), "ms"),
                BenchRow.info("transactional round trip p99, read_committed consume→produce + offsets" + size,
                        transactionalRoundTrip.p99Ms(), "ms"));
    }
}
