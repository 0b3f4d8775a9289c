package dev.oomsim.bench.live;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.oomsim.bench.BaselineRef;
import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.bench.Target;
import dev.oomsim.bench.agent.OutputWatch;
import dev.oomsim.bench.coordinator.CoordinatorBench;
import dev.oomsim.bench.coordinator.CoordinatorMix;
import dev.oomsim.coordinator.CoordinatorTopology;
import dev.oomsim.coordinator.StoreNames;
import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * How fast the coordinator's topology folds what the agents write, beside a Kafka Streams pass-through of the same
 * input in the same run. A {@link CoordinatorMix} of progress outcomes, node snapshots and kills for a 4-node machine
 * is produced once to the three input topics; then each application starts on it with the same settings
 * ({@link CoordinatorBench#streamsProperties}: exactly-once v2, the coordinator's 100 ms commit interval, one stream
 * thread) and is timed from {@code KafkaStreams.start()} to having consumed all of it — start-up (group join,
 * producer fencing, store creation) included on both sides:
 * <ul>
 *   <li>the pass-through copies every record to one output topic; done when a read_committed reader has seen them
 *       all ({@link OutputWatch});</li>
 *   <li>the coordinator ({@link CoordinatorTopology}: decode, re-key by node, repartition, per-node fold, cluster
 *       fold);
 *       done when its own stores, read through interactive queries every 5 ms, show the whole mix: the cluster view's
 *       requests and kills are the mix's, and every node was last updated by the mix's final snapshot.</li>
 * </ul>
 */
public final class CoordinatorFoldBenchmark implements LiveBenchmark {

    static final Target TARGET = Target.atLeastTimesBaseline(0.7);
    static final int NODES = 4;
    static final int TASKS = 400;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final int fixedEvents;

    public CoordinatorFoldBenchmark() {
        this(0);
    }

    /** With a fixed mix size (tests take a small one). */
    CoordinatorFoldBenchmark(int fixedEvents) {
        this.fixedEvents = fixedEvents;
    }

    @Override
    public String name() {
        return "coordinator fold throughput";
    }

    /** Events in the mix: the run's produce count / 5 (quick 20 000, full 200 000). */
    static int events(long produceRecords) {
        return (int) Math.max(1_000, Math.min(1_000_000, produceRecords / 5));
    }

    @Override
    public List<BenchRow> run(BenchContext context) throws Exception {
        int events = fixedEvents > 0 ? fixedEvents : events(context.settings().produceRecords());
        String run = UUID.randomUUID().toString().substring(0, 8);
        Topics topics = new Topics("oomsim-bench-" + run + ".", NODES);
        new TopicEnsurer(context.admin(), (short) 1).ensure(topics.all());
        CoordinatorMix mix = CoordinatorMix.generate(topics, NODES, TASKS, events,
                System.currentTimeMillis() - events - 60_000, 42);
        context.progress().step(String.format(Locale.ROOT, "coordinator fold: producing a mix of %,d events "
                + "(%,d progress, %,d node-state, %,d kills) for %d nodes", mix.size(), mix.progress(),
                mix.nodeStates(), mix.kills(), NODES));
        CoordinatorBench.produce(context.bootstrapServers(), mix.records());
        Path dir = Files.createTempDirectory("oomsim-bench-coordinator-fold");
        try {
            String output = context.createTopic("coordinator-pass-through", 1, Map.of());
            List<String> inputs = List.of(topics.progress().name(), topics.nodeState().name(),
                    topics.kills().name());
            double passThrough;
            try (OutputWatch watch = new OutputWatch(context.bootstrapServers(), output, topics.deadLetter().name(),
                    mix.size());
                 KafkaStreams streams = new KafkaStreams(CoordinatorBench.passThrough(inputs, output),
                         CoordinatorBench.streamsProperties(context.bootstrapServers(), topics.prefix()
                                 + "pass-through", dir.resolve("pass-through"), CoordinatorBench.COMMIT_INTERVAL))) {
                long start = System.nanoTime();
                streams.start();
                OutputWatch.Mark done = watch.awaitMark(0, TIMEOUT);
                passThrough = mix.size() / ((done.nanos() - start) / 1e9);
            }
            context.progress().step(String.format(Locale.ROOT, "coordinator fold: pass-through %,.0f rec/s",
                    passThrough));

            double fold;
            try (KafkaStreams streams = new KafkaStreams(CoordinatorTopology.build(CoordinatorBench.config(topics,
                    topics.prefix() + "coordinator")), CoordinatorBench.streamsProperties(context.bootstrapServers(),
                    topics.prefix() + "coordinator", dir.resolve("coordinator"), CoordinatorBench.COMMIT_INTERVAL))) {
                long start = System.nanoTime();
                streams.start();
                long end = awaitTrue(() -> foldedAll(streams, mix), TIMEOUT, "the coordinator folding the "
                        + mix.size() + " events");
                fold = mix.size() / ((end - start) / 1e9);
            }
            context.progress().step(String.format(Locale.ROOT, "coordinator fold: %,.0f rec/s", fold));
            String what = String.format(Locale.ROOT, "coordinator fold, %,d progress/node-state/kill events, %d nodes "
                    + "(start to all folded, EOS v2, commit %d ms)", mix.size(), NODES,
                    CoordinatorBench.COMMIT_INTERVAL.toMillis());
            BaselineRef baseline = BaselineRef.measured("Streams pass-through, same input and settings", "rec/s",
                    passThrough);
            return List.of(
                    BenchRow.info(String.format(Locale.ROOT, "Streams pass-through, %,d events of the coordinator's "
                            + "3 inputs → 1 topic (start to all visible, EOS v2, commit %d ms)", mix.size(),
                            CoordinatorBench.COMMIT_INTERVAL.toMillis()), passThrough, "rec/s"),
                    BenchRow.against(what, fold, "rec/s", baseline, TARGET));
        } finally {
            CoordinatorBench.deleteTree(dir);
        }
    }

    /** Whether the coordinator's stores show every record of {@code mix}; false while they are not queryable. */
    static boolean foldedAll(KafkaStreams streams, CoordinatorMix mix) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        try {
            ReadOnlyKeyValueStore<String, PressureView> cluster = streams.store(StoreQueryParameters.fromNameAndType(
                    StoreNames.CLUSTER_PRESSURE, QueryableStoreTypes.<String, PressureView>keyValueStore()));
            PressureView view = cluster.get(CoordinatorTopology.CLUSTER_KEY);
            if (view == null || view.getRequests() != mix.progress() || view.getKills() != mix.kills()) {
                return false;
            }
            ReadOnlyKeyValueStore<Integer, PressureView> nodes = streams.store(StoreQueryParameters.fromNameAndType(
                    StoreNames.NODE_PRESSURE, QueryableStoreTypes.<Integer, PressureView>keyValueStore()));
            int updated = 0;
            try (KeyValueIterator<Integer, PressureView> it = nodes.all()) {
                while (it.hasNext()) {
                    if (it.next().value.getUpdatedAtMs() >= mix.lastTimestampMs()) {
                        updated++;
                    }
                }
            }
            return updated == NODES;
        } catch (InvalidStateStoreException e) {
            return false;
        }
    }

    /** Checks {@code condition} every 5 ms until it holds; the {@link System#nanoTime()} it was first seen true. */
    static long awaitTrue(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        return System.nanoTime();
    }
}
