package dev.oomsim.bench;

/** How long a bench run may take. */
public enum BenchMode {
    /** Well under a minute on a 2-core machine: smaller counts, one short JMH iteration set. */
    QUICK,
    /** A few minutes: the figures to commit. */
    FULL
}
