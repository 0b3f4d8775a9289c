package dev.oomsim.coordinator;

import java.util.Optional;
import java.util.Set;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Where a node's records go in the {@code node-inputs} repartition topic, and so which task (and instance) owns the
 * node in {@code node-pressure}: partition {@code node mod partitions}. The topic has one partition per node of the
 * catalogue, so node {@code n} is partition {@code n} and several coordinator instances share the nodes between them.
 * The API asks the Streams metadata for a node's owner through this same partitioner
 * ({@code KafkaStreams.queryMetadataForKey(store, node, NodePartitioner.INSTANCE)}); the key serializer's hash would
 * name another partition.
 */
public final class NodePartitioner implements StreamPartitioner<Integer, SpecificRecord> {

    public static final NodePartitioner INSTANCE = new NodePartitioner();

    private NodePartitioner() {
    }

    /** The partition of {@code node} among {@code partitions}. */
    public static int partitionOf(int node, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        return Math.floorMod(node, partitions);
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, Integer node, SpecificRecord value, int numPartitions) {
        return Optional.of(Set.of(partitionOf(node, numPartitions)));
    }
}
