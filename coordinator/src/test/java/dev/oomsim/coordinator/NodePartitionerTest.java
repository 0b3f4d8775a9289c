package dev.oomsim.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class NodePartitionerTest {

    @Test
    void nodeNIsPartitionNWhenTheTopicHasAPartitionPerNode() {
        for (int node = 0; node < 4; node++) {
            assertThat(NodePartitioner.INSTANCE.partitions("node-inputs", node, null, 4))
                    .isEqualTo(Optional.of(Set.of(node)));
        }
    }

    @Test
    void nodesBeyondThePartitionsWrapAround() {
        assertThat(NodePartitioner.partitionOf(5, 4)).isEqualTo(1);
        assertThat(NodePartitioner.partitionOf(99, 4)).isEqualTo(3);
        assertThat(NodePartitioner.partitionOf(7, 1)).isZero();
    }

    @Test
    void aTopicWithoutPartitionsIsABug() {
        assertThatThrownBy(() -> NodePartitioner.partitionOf(0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partitions");
    }
}
