package dev.oomsim.bench;

/**
 * Everything that sizes a bench run.
 *
 * @param mode            quick or full (reported in the table's header)
 * @param recordSizeBytes value size of every baseline record
 * @param warmupRecords   records produced and consumed to warm the broker and the clients before measuring
 * @param produceRecords  records in the measured produce run; the consume run reads them back
 * @param rttWarmup       round trips run and discarded before measuring
 * @param rttRecords      measured round trips, one record at a time
 * @param jmh             JMH iterations
 */
public record BenchSettings(BenchMode mode, int recordSizeBytes, long warmupRecords, long produceRecords,
                            int rttWarmup, int rttRecords, JmhSettings jmh) {

    public static final int DEFAULT_RECORD_SIZE = 100;

    public BenchSettings {
        if (mode == null || jmh == null) {
            throw new IllegalArgumentException("mode and jmh must be set");
        }
        if (recordSizeBytes < 1 || recordSizeBytes > 1_000_000) {
            throw new IllegalArgumentException("recordSizeBytes must be 1..1000000, was " + recordSizeBytes);
        }
        if (warmupRecords < 0) {
            throw new IllegalArgumentException("warmupRecords must be >= 0, was " + warmupRecords);
        }
        if (produceRecords < 1) {
            throw new IllegalArgumentException("produceRecords must be >= 1, was " + produceRecords);
        }
        if (rttWarmup < 0) {
            throw new IllegalArgumentException("rttWarmup must be >= 0, was " + rttWarmup);
        }
        if (rttRecords < 1) {
            throw new IllegalArgumentException("rttRecords must be >= 1, was " + rttRecords);
        }
    }

    public static BenchSettings quick(int recordSizeBytes) {
        return new BenchSettings(BenchMode.QUICK, recordSizeBytes, 20_000, 100_000, 200, 500, JmhSettings.quick());
    }

    public static BenchSettings full(int recordSizeBytes) {
        return new BenchSettings(BenchMode.FULL, recordSizeBytes, 300_000, 1_000_000, 2_000, 10_000,
                JmhSettings.full());
    }

    public static BenchSettings of(BenchMode mode, int recordSizeBytes) {
        return mode == BenchMode.QUICK ? quick(recordSizeBytes) : full(recordSizeBytes);
    }

    /** The same run with other record counts (tests use tiny ones). */
    public BenchSettings withCounts(long newWarmupRecords, long newProduceRecords, int newRttWarmup,
            int newRttRecords) {
        return new BenchSettings(mode, recordSizeBytes, newWarmupRecords, newProduceRecords, newRttWarmup,
                newRttRecords, jmh);
    }
}
