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
                        hotPathSerde("encodeAllocRequest", "Avro encode AllocRequest (JMH)"),
                        hotPathSerde("decodeAllocRequest", "Avro decode AllocRequest (JMH)"),
                        hotPathSerde("encodeNodeCommand", "Avro encode NodeCommand(AllocRequest) (JMH)"),
                        hotPathSerde("decodeNodeCommand", "Avro decode NodeCommand(AllocRequest) (JMH)"),
                        JmhRow.against("encodeKillEvent", "Avro encode KillEvent (JMH)", Baseline.PRODUCE_COST_PER_RECORD, Target.none()),
                        JmhRow.against("decodeKillEvent", "Avro decode KillEvent (JMH)", Baseline.PRODUCE_COST_PER_RECORD, Target.none())));
    }

    /**
     * A serde call on the hot topic against what the broker spends per produced record: an agent decodes one request
     * and encodes one outcome per record, so each must stay under half the broker's per-record cost or the serde, not
     * Kafka, limits the agent. (Kill events are rare, so their serde cost is shown beside the same baseline without a
     * target.)
     */
    private static JmhRow hotPathSerde(String method, String rowName) {
        return JmhRow.against(method, rowName, Baseline.PRODUCE_COST_PER_RECORD, Target.atMostTimesBaseline(0.5));
    }
}
