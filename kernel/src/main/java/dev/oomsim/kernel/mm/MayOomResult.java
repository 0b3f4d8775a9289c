package dev.oomsim.kernel.mm;

import dev.oomsim.kernel.oom.OomOutcome;

/**
 * The outcome of {@code __alloc_pages_may_oom}: the page (null for NULL), {@code did_some_progress}, the path token of
 * the deciding row, and the {@code out_of_memory} call if one ran (null otherwise).
 */
public record MayOomResult(Page page, int didSomeProgress, String step, OomOutcome oom) {

    /** Validates the fields. */
    public MayOomResult {
        if (didSomeProgress < 0 || didSomeProgress > 1) {
            throw new IllegalArgumentException("didSomeProgress: expected 0 or 1, got " + didSomeProgress);
        }
        if (step == null) {
            throw new IllegalArgumentException("step: must be set");
        }
    }
}
