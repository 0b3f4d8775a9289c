package dev.oomsim.schemas.topics;

/** How many partitions a topic must have. */
public sealed interface PartitionRule {

    /** The partition count to create the topic with. */
    int toCreate();

    /** Whether an existing topic's count is acceptable. */
    boolean accepts(int actual);

    /** How the rule reads in an error message. */
    String describe();

    record Exactly(int partitions) implements PartitionRule {
        public Exactly {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
            }
        }

        public int toCreate() {
            return partitions;
        }

        public boolean accepts(int actual) {
            return actual == partitions;
        }

        public String describe() {
            return "exactly " + partitions;
        }
    }

    record AtLeast(int partitions) implements PartitionRule {
        public AtLeast {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
            }
        }

        public int toCreate() {
            return partitions;
        }

        public boolean accepts(int actual) {
            return actual >= partitions;
        }

        public String describe() {
            return "at least " + partitions;
        }
    }
}
