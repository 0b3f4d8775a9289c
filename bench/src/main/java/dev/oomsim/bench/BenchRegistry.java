package dev.oomsim.bench;

import java.util.List;

import dev.oomsim.bench.jmh.AvroSerdeBench;
import dev.oomsim.bench.live.AllocRequestProduceBenchmark;

/**
 * Every benchmark {@code oomsim bench} runs, in table order (after the baselines). Later issues add theirs here: a
 * {@link LiveBenchmark} for anything that needs the broker, a {@link JmhBenchmark} (class in
 * {@code dev.oomsim.bench.jmh}) for in-JVM hot paths.
 */
public final class BenchRegistry {

    private BenchRegistry() {
    }

    public static List<Benchmark> all() {
        return List.of(
                new AllocRequestProduceBenchmark(),
                JmhBenchmark.of("Avro serde", AvroSerdeBench.class,
                        serdeRow("encodeAllocRequest", "Avro encode AllocRequest (JMH)"),
                        serdeRow("decodeAllocRequest", "Avro decode AllocRequest (JMH)"),
                        serdeRow("encodeKillEvent", "Avro encode KillEvent (JMH)"),
                        serdeRow("decodeKillEvent", "Avro decode KillEvent (JMH)")));
    }

    /**
     * A serde call against what the broker spends per produced record: an agent decodes one request and encodes one
     * outcome per record, so each must stay under half the broker's per-record cost or the serde, not Kafka, limits.
     */
    private static JmhRow serdeRow(String method, String rowName) {
        return JmhRow.against(method, rowName, Baseline.PRODUCE_COST_PER_RECORD, Target.atMostTimesBaseline(0.5));
    }
}
