package dev.oomsim.bench;

/**
 * The broker's own raw figures a row may be compared with. Each is measured once per run, on the same embedded
 * broker and at the same record size as everything else in the run, and shared by every row.
 */
public enum Baseline {
    /** Records/s one producer pushes into one partition ({@code ProducerPerformance}, acks=all, linger 5 ms). */
    PRODUCE_THROUGHPUT("broker produce", "rec/s"),
    /** Records/s one consumer fetches from one partition ({@code ConsumerPerformance}, fetch phase only). */
    CONSUME_THROUGHPUT("broker consume", "rec/s"),
    /** What one record costs the producer path: 10^9 / {@link #PRODUCE_THROUGHPUT}. */
    PRODUCE_COST_PER_RECORD("broker produce cost/rec", "ns"),
    /** Median produce→consume round trip of one record at a time (acks=all, linger 0). */
    RTT_P50("broker RTT p50", "ms"),
    /** 99th percentile of the same round trips. */
    RTT_P99("broker RTT p99", "ms"),
    /**
     * The floor of an exactly-once OOM kill, median: one transactional consume→produce round trip
     * ({@code TransactionalRoundTripLoop}) plus one broker round trip (the cluster {@code oom_lock}'s trylock), each
     * at its median.
     */
    EOS_KILL_FLOOR_P50("txn round trip + RTT, p50", "ms"),
    /** The same floor at the 99th percentile: transactional round trip p99 + broker RTT p99. */
    EOS_KILL_FLOOR_P99("txn round trip + RTT, p99", "ms");

    private final String label;
    private final String unit;

    Baseline(String label, String unit) {
        this.label = label;
        this.unit = unit;
    }

    /** Short name shown in the table's baseline and target columns. */
    public String label() {
        return label;
    }

    public String unit() {
        return unit;
    }
}
