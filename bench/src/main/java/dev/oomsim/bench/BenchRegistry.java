package dev.oomsim.bench;

import java.util.List;
import java.util.Map;

import dev.oomsim.bench.jmh.AllocPagesBench;
import dev.oomsim.bench.jmh.AvroSerdeBench;
import dev.oomsim.bench.jmh.BuddyBench;
import dev.oomsim.bench.jmh.OomSelectBench;
import dev.oomsim.bench.jmh.ReportParseBench;
import dev.oomsim.bench.jmh.TraceParseBench;
import dev.oomsim.bench.live.AgentHeapBenchmark;
import dev.oomsim.bench.live.AgentThroughputBenchmark;
import dev.oomsim.bench.live.AllocRequestProduceBenchmark;
import dev.oomsim.bench.live.ClusterLockBenchmark;
import dev.oomsim.bench.live.CoordinatorFoldBenchmark;
import dev.oomsim.bench.live.CoordinatorHeapBenchmark;
import dev.oomsim.bench.live.CoordinatorKillLatencyBenchmark;
import dev.oomsim.bench.live.DemoWallTimeBenchmark;
import dev.oomsim.bench.live.KernelHeapBenchmark;
import dev.oomsim.bench.live.LoadProduceBenchmark;
import dev.oomsim.bench.live.OomKillLatencyBenchmark;

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
                new ClusterLockBenchmark(),
                new KernelHeapBenchmark(),
                new AgentThroughputBenchmark(),
                new OomKillLatencyBenchmark(),
                new AgentHeapBenchmark(),
                new CoordinatorFoldBenchmark(),
                new CoordinatorKillLatencyBenchmark(),
                new CoordinatorHeapBenchmark(),
                new LoadProduceBenchmark(),
                new DemoWallTimeBenchmark(),
                // The kernel issue's targets (docs/kernel-model.md): absolute, the model runs without Kafka.
                JmhBenchmark.of("buddy allocator", BuddyBench.class,
                        JmhRow.of("allocFreePair", "order-0 alloc+free pairs, 16 GiB zone (JMH)", Target.atLeast(10e6))
                                .withParams(Map.of("maxOrder", "0")).withUnit("pairs/s"),
                        JmhRow.of("allocFreePair", "order 0–3 mixed alloc+free pairs, 16 GiB zone (JMH)",
                                Target.atLeast(3e6))
                                .withParams(Map.of("maxOrder", "3")).withUnit("pairs/s")),
                JmhBenchmark.of("allocPages fast path", AllocPagesBench.class,
                        JmhRow.of("allocPagesAndFree", "allocPages fast path + free, order 0 GFP_KERNEL (JMH)",
                                Target.atLeast(5e6))
                                .withUnit("allocs/s")),
                JmhBenchmark.of("OOM victim selection", OomSelectBench.class,
                        JmhRow.of("selectBadProcess", "outOfMemory victim selection, 10 000 tasks (JMH)",
                                Target.atMost(1))),
                JmhBenchmark.of("OOM report parsing", ReportParseBench.class,
                        JmhRow.of("parseReports", "oomsim explain: real OOM reports parsed (JMH)", Target.none())
                                .withUnit("reports/s"),
                        JmhRow.of("parseLines", "oomsim explain: report lines parsed (JMH)", Target.none())
                                .withUnit("lines/s")),
                // oomsim load --replay: the line parser on the real 6.18 trace, one core.
                JmhBenchmark.of("trace parsing", TraceParseBench.class,
                        JmhRow.of("parseLine", "kmem trace line parsing, real 6.18 trace, one core (JMH)",
                                Target.atLeast(1e6)).withUnit("lines/s")),
                JmhBenchmark.of("Avro serde", AvroSerdeBench.class,
                        hotPathSerde("encodeAllocRequest", "Avro encode AllocRequest (JMH)"),
                        hotPathSerde("decodeAllocRequest", "Avro decode AllocRequest (JMH)"),
                        hotPathSerde("encodeNodeCommand", "Avro encode NodeCommand(AllocRequest) (JMH)"),
                        hotPathSerde("decodeNodeCommand", "Avro decode NodeCommand(AllocRequest) (JMH)"),
                        JmhRow.against("encodeKillEvent", "Avro encode KillEvent (JMH)",
                                Baseline.PRODUCE_COST_PER_RECORD, Target.none()),
                        JmhRow.against("decodeKillEvent", "Avro decode KillEvent (JMH)",
                                Baseline.PRODUCE_COST_PER_RECORD, Target.none())));
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
