package dev.oomsim.bench;

/** How a row stands against its target. */
public enum Verdict {
    /** The target is met. */
    PASS,
    /** The target is missed. */
    FAIL,
    /** The row has no target: a figure reported for information (the baselines themselves, for instance). */
    INFO
}
