package dev.oomsim.bench;

import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;

/**
 * Measures the broker's raw figures: warms broker and clients with a produce + consume + round-trip pass on a
 * throw-away topic, then produces {@code produceRecords} with {@code ProducerPerformance}, reads them back with
 * {@code ConsumerPerformance}, and times {@code rttRecords} one-at-a-time round trips.
 */
public final class BrokerBaselines {

    private BrokerBaselines() {
    }

    public static Baselines measure(String bootstrapServers, Admin admin, BenchSettings s, Progress progress) {
        int size = s.recordSizeBytes();
        if (s.warmupRecords() > 0 || s.rttWarmup() > 0) {
            progress.step("warming the broker: " + s.warmupRecords() + " records produced and consumed, "
                    + s.rttWarmup() + " round trips");
            String warm = BenchContext.createTopic(admin, "warmup", 1, Map.of());
            if (s.warmupRecords() > 0) {
                PerfTool.produce(bootstrapServers, warm, s.warmupRecords(), size);
                PerfTool.consume(bootstrapServers, warm, s.warmupRecords(), group());
            }
            if (s.rttWarmup() > 0) {
                String warmRtt = BenchContext.createTopic(admin, "warmup-rtt", 1, Map.of());
                RoundTripLoop.measure(bootstrapServers, warmRtt, 0, s.rttWarmup(), size);
            }
        }
        String topic = BenchContext.createTopic(admin, "baseline", 1, Map.of());
        progress.step("ProducerPerformance: " + s.produceRecords() + " records of " + size + " B");
        ProducerPerfResult produce = PerfTool.produce(bootstrapServers, topic, s.produceRecords(), size);
        if (produce.records() != s.produceRecords()) {
            throw new BaselineException("ProducerPerformance sent " + produce.records() + " records, not "
                    + s.produceRecords());
        }
        progress.step("ConsumerPerformance: " + s.produceRecords() + " records");
        ConsumerPerfResult consume = PerfTool.consume(bootstrapServers, topic, s.produceRecords(), group());
        if (consume.records() < s.produceRecords()) {
            throw new BaselineException("ConsumerPerformance read " + consume.records() + " of the "
                    + s.produceRecords()
                    + " records produced before its timeout");
        }
        progress.step("round trips: " + s.rttRecords() + " one at a time");
        String rttTopic = BenchContext.createTopic(admin, "rtt", 1, Map.of());
        LatencySummary rtt = RoundTripLoop.measure(bootstrapServers, rttTopic, 0, s.rttRecords(), size);
        int txnRecords = Math.max(200, s.rttRecords() / 10);
        progress.step("transactional round trips: " + txnRecords + " exactly-once consume→produce steps one at a time");
        String txnIn = BenchContext.createTopic(admin, "txn-rtt-in", 1, Map.of());
        String txnOut = BenchContext.createTopic(admin, "txn-rtt-out", 1, Map.of());
        LatencySummary txn = TransactionalRoundTripLoop.measure(bootstrapServers, txnIn, txnOut,
                Math.min(50, s.rttWarmup()), txnRecords, size);
        return new Baselines(size, produce, consume, rtt, txn);
    }

    private static String group() {
        return "oomsim-bench-" + UUID.randomUUID();
    }
}
