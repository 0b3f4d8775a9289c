package dev.oomsim.coordinator;

import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/** The coordinator's topology (docs/coordinator.md): a pure function of its configuration. */
public final class CoordinatorTopology {

    /** The key of the cluster view in {@code cluster-pressure} and on the {@code pressure} topic. */
    public static final String CLUSTER_KEY = "cluster";

    private CoordinatorTopology() {
    }

    /** Builds the topology; nothing runs until a {@code KafkaStreams} starts it. */
    public static Topology build(CoordinatorConfig config) {
        StreamsBuilder builder = new StreamsBuilder();
        return builder.build();
    }
}
