package dev.oomsim.coordinator;

import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.serde.AvroEventSerde;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The coordinator's topology (docs/coordinator.md): a pure function of its configuration.
 *
 * <ol>
 *   <li>{@code node-state}, {@code progress} and {@code kills} are re-keyed by node id (the kill by its invoking
 *       node) into one repartition topic, {@code node-inputs} (a partition per node, {@link NodePartitioner}, so
 *       instances sharing the application id share the nodes), and folded per node ({@link NodeFold}) into
 *       {@code node-pressure} and the {@code pressure} topic ({@code node-<id>});</li>
 *   <li>the node views, every kill and every dead letter are re-keyed {@code cluster} into one-partition repartition
 *       topics and folded with the one-partition {@code oom-lock} topic in a single task ({@link ClusterFold}) into
 *       {@code cluster-pressure}, {@code recent-kills} and the {@code pressure} topic ({@code cluster});</li>
 *   <li>records later than the grace period go to {@code dead-letter} ({@code late}); so are records that
 *       do not decode ({@link DecodeInput}, in the topology: inside the task's transaction).</li>
 * </ol>
 * Every input is read through the catalogue's serdes ({@code oom-lock} through the lock module's own decoder);
 * all state is in changelogged stores, so the topology is correct under exactly-once v2.
 */
public final class CoordinatorTopology {

    /** The key of the cluster view in {@code cluster-pressure} and on the {@code pressure} topic. */
    public static final String CLUSTER_KEY = "cluster";
    /** The error class (and tally reason) of records that came after the grace period. */
    public static final String LATE = "late";
    /** The {@code service} of the coordinator's dead letters. */
    public static final String SERVICE = "coordinator";

    private CoordinatorTopology() {
    }

    /** Builds the topology; nothing runs until a {@code KafkaStreams} starts it. */
    public static Topology build(CoordinatorConfig config) {
        Topics topics = config.topics();
        TopicSpec<Integer, NodeState> nodeStateTopic = topics.nodeState();
        TopicSpec<Integer, ProgressEvent> progressTopic = topics.progress();
        TopicSpec<Integer, KillEvent> killsTopic = topics.kills();
        TopicSpec<byte[], DeadLetter> deadLetterTopic = topics.deadLetter();
        TopicSpec<String, PressureView> pressureTopic = topics.pressure();
        Serde<PressureView> pressureSerde = pressureTopic.valueSerde();
        Serde<KillEvent> killSerde = killsTopic.valueSerde();

        StreamsBuilder b = new StreamsBuilder();
        // Cached stores: a commit writes each key's newest value once to its changelog, not every update of it; reads
        // (and interactive queries) see the cache, so nothing is less visible.
        b.addStateStore(cached(StoreNames.NODE_PRESSURE, Serdes.Integer(), pressureSerde));
        b.addStateStore(cached(NodeFold.STATE_STORE, Serdes.Integer(), new JsonSerde<>(NodeFoldState.class)));
        b.addStateStore(cached(StoreNames.CLUSTER_PRESSURE, Serdes.String(), pressureSerde));
        b.addStateStore(cached(StoreNames.RECENT_KILLS, Serdes.String(), killSerde));
        b.addStateStore(cached(ClusterFold.STATE_STORE, Serdes.String(), new JsonSerde<>(ClusterFoldState.class)));
        b.addStateStore(cached(ClusterFold.NODE_VIEWS_STORE, Serdes.Integer(), pressureSerde));

        KStream<byte[], NodeState> states = decoded(b, nodeStateTopic, deadLetterTopic);
        KStream<byte[], ProgressEvent> progress = decoded(b, progressTopic, deadLetterTopic);
        KStream<byte[], KillEvent> kills = decoded(b, killsTopic, deadLetterTopic);
        KStream<byte[], DeadLetter> deadLetters = decoded(b, deadLetterTopic, deadLetterTopic);
        KStream<String, byte[]> lockRecords = b.stream(topics.oomLock().name(),
                Consumed.with(topics.oomLock().keySerde(), Serdes.ByteArray()));

        // 1. per node
        KStream<Integer, SpecificRecord> nodeInputs = states.filter((k, v) -> v != null)
                .map((k, v) -> KeyValue.pair(v.getNode(), (SpecificRecord) v))
                .merge(progress.filter((k, v) -> v != null)
                        .map((k, v) -> KeyValue.pair(v.getNode(), (SpecificRecord) v)))
                .merge(kills.filter((k, v) -> v != null)
                        .map((k, v) -> KeyValue.pair(v.getInvokingNode(), (SpecificRecord) v)))
                .repartition(Repartitioned.with(Serdes.Integer(),
                        (Serde<SpecificRecord>) new TaggedSerde(NodeState.class, ProgressEvent.class,
                                KillEvent.class)).withName("node-inputs")
                        .withNumberOfPartitions(topics.nodes()).withStreamPartitioner(NodePartitioner.INSTANCE));
        KStream<String, SpecificRecord> nodeOut = nodeInputs.process(() -> new NodeFold(config),
                StoreNames.NODE_PRESSURE, NodeFold.STATE_STORE);
        KStream<String, PressureView> nodeViews = views(nodeOut);
        nodeViews.to(pressureTopic.name(), Produced.with(pressureTopic.keySerde(), pressureSerde));
        toDeadLetters(nodeOut, deadLetterTopic);

        // 2. the cluster, in one task
        KStream<String, Object> clusterInputs = nodeViews.selectKey((k, v) -> CLUSTER_KEY)
                .repartition(Repartitioned.with(Serdes.String(), pressureSerde).withName("cluster-views")
                        .withNumberOfPartitions(1))
                .mapValues(v -> (Object) v)
                .merge(kills.filter((k, v) -> v != null).selectKey((k, v) -> CLUSTER_KEY)
                        .repartition(Repartitioned.with(Serdes.String(), killSerde).withName("cluster-kills")
                                .withNumberOfPartitions(1))
                        .mapValues(v -> (Object) v))
                .merge(deadLetters.filter((k, v) -> v != null).selectKey((k, v) -> CLUSTER_KEY)
                        .repartition(Repartitioned.with(Serdes.String(), deadLetterTopic.valueSerde())
                                .withName("cluster-dead-letters").withNumberOfPartitions(1))
                        .mapValues(v -> (Object) v))
                .merge(lockRecords.mapValues(v -> (Object) new ClusterFold.LockBytes(v)));
        KStream<String, SpecificRecord> clusterOut = clusterInputs.process(() -> new ClusterFold(config),
                StoreNames.CLUSTER_PRESSURE, StoreNames.RECENT_KILLS, ClusterFold.STATE_STORE,
                ClusterFold.NODE_VIEWS_STORE);
        views(clusterOut).to(pressureTopic.name(), Produced.with(pressureTopic.keySerde(), pressureSerde));
        toDeadLetters(clusterOut, deadLetterTopic);
        return b.build();
    }

    /**
     * The decoded values of {@code spec}'s topic (keys are not read: every fold re-keys by value); the records that
     * do not decode go to {@code dead-letter} ({@link DecodeInput}).
     */
    @SuppressWarnings("unchecked")
    private static <T> KStream<byte[], T> decoded(StreamsBuilder b, TopicSpec<?, T> spec,
            TopicSpec<byte[], DeadLetter> deadLetterTopic) {
        KStream<byte[], Object> out = b.stream(spec.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new DecodeInput<>(spec));
        out.filter((k, v) -> v instanceof DecodeInput.Bad)
                .mapValues(v -> ((DecodeInput.Bad) v).letter())
                .to(deadLetterTopic.name(), Produced.with(deadLetterTopic.keySerde(), deadLetterTopic.valueSerde()));
        return out.filter((k, v) -> !(v instanceof DecodeInput.Bad)).mapValues(v -> (T) v);
    }

    private static <K, V> StoreBuilder<KeyValueStore<K, V>> cached(String name, Serde<K> keySerde,
            Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keySerde, valueSerde)
                .withCachingEnabled();
    }

    private static KStream<String, PressureView> views(KStream<String, SpecificRecord> out) {
        return out.filter((k, v) -> v instanceof PressureView).mapValues(v -> (PressureView) v);
    }

    private static void toDeadLetters(KStream<String, SpecificRecord> out, TopicSpec<byte[], DeadLetter> topic) {
        out.filter((k, v) -> v instanceof DeadLetter).map((k, v) -> {
            DeadLetter d = (DeadLetter) v;
            byte[] key = null;
            if (d.getKey() != null) {
                key = new byte[d.getKey().remaining()];
                d.getKey().duplicate().get(key);
            }
            return KeyValue.pair(key, d);
        }).to(topic.name(), Produced.with(topic.keySerde(), topic.valueSerde()));
    }

    /** The serde of {@code type} from the catalogue (for tests and the API). */
    static <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        return AvroEventSerde.of(type);
    }
}
