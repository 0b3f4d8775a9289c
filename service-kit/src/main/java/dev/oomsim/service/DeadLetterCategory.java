package dev.oomsim.service;

import java.util.Locale;

/**
 * Why a record went to the dead-letter topic, as a closed set: each category's {@link #label()} is the stable,
 * lower-case name stored as the dead letter's {@code errorClass} and used as the {@code reason} tag of the
 * {@code oomsim.dead.letters} counter.
 */
public enum DeadLetterCategory {
    /** The record's bytes do not decode (no value, a bad marker, an unknown schema). */
    UNDECODABLE,
    /** A command or task event names a pid the task table does not hold. */
    UNKNOWN_PID,
    /** A command or task event names a task that has exited. */
    DEAD_PID,
    /** A SPAWN names a pid the task table already holds (pids are not reused). */
    DUPLICATE_PID,
    /** A request id already in progress on the node arrived again. */
    DUPLICATE_REQUEST,
    /** An {@code oom_score_adj} outside {@code OOM_SCORE_ADJ_MIN..OOM_SCORE_ADJ_MAX}. */
    INVALID_ADJ,
    /** A FREE without the block it frees. */
    INVALID_FREE,
    /** A gfp mask the node's profile does not accept. */
    INVALID_GFP,
    /** An allocation order outside {@code 0..MAX_ORDER-1}. */
    INVALID_ORDER,
    /** An rss report that does not fit the task it names. */
    INVALID_RSS,
    /** A SPAWN the task table cannot take. */
    INVALID_SPAWN,
    /** The kernel model failed on a request (a bug, not bad input). */
    KERNEL_ERROR,
    /** A lock result no request of the node waits for. */
    ORPHAN_LOCK_RESULT,
    /** A memory reply no request of the node waits for. */
    ORPHAN_REPLY,
    /** The kernel model refused the request as bad input. */
    REJECTED_BY_KERNEL,
    /** An rss report lower than the pages the node holds for the task. */
    RSS_SHRINK,
    /** The node has no free pages to load a reported rss into. */
    RSS_UNAVAILABLE,
    /** A kill's effect sent under an {@code oom_lock} grant older than one the node has seen acquired. */
    STALE_FENCING_TOKEN,
    /** An mm id the node does not know. */
    UNKNOWN_MM,
    /** A request for another node reached this one. */
    UNKNOWN_NODE,
    /** A memory call whose operation the node does not serve. */
    UNKNOWN_OP,
    /** A zone the node does not populate. */
    UNKNOWN_ZONE,
    /** A command whose body is of no kind the node handles. */
    UNKNOWN_COMMAND;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The stable lower-case label, words joined by '-' (e.g. {@code stale-fencing-token}). */
    public String label() {
        return label;
    }
}
