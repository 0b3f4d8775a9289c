package dev.oomsim.schemas.topics;

import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;

/**
 * One topic of the catalogue: its full name, key and value serdes, and what its partitions and configs must be.
 *
 * @param name       full topic name, prefix included
 * @param keySerde   serde of the record keys
 * @param valueSerde serde of the record values
 * @param partitions partition rule
 * @param configs    topic-level configs it is created with and checked against (insertion order kept)
 */
public record TopicSpec<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, PartitionRule partitions,
                              Map<String, ConfigRule> configs) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        Objects.requireNonNull(partitions, "partitions");
        configs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(configs));
    }
}
