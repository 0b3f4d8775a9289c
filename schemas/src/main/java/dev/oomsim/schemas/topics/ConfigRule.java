package dev.oomsim.schemas.topics;

/** What a topic-level config must be: created with {@link #toCreate()}, checked with {@link #accepts(String)}. */
public sealed interface ConfigRule {

    String toCreate();

    boolean accepts(String actual);

    String describe();

    static ConfigRule equalTo(String value) {
        return new EqualTo(value);
    }

    static ConfigRule atLeast(long value) {
        return new AtLeast(value);
    }

    record EqualTo(String value) implements ConfigRule {
        public String toCreate() {
            return value;
        }

        public boolean accepts(String actual) {
            return value.equals(actual);
        }

        public String describe() {
            return value;
        }
    }

    /** A numeric config that must not be below a bound (e.g. {@code min.compaction.lag.ms}). */
    record AtLeast(long value) implements ConfigRule {
        public String toCreate() {
            return Long.toString(value);
        }

        public boolean accepts(String actual) {
            try {
                return actual != null && Long.parseLong(actual.trim()) >= value;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        public String describe() {
            return ">= " + value;
        }
    }
}
