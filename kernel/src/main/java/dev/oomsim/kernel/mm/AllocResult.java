package dev.oomsim.kernel.mm;

/**
 * The outcome of {@code PageAllocator.allocPages}: a page, or NULL. Running out of memory is a result, not an error.
 */
public sealed interface AllocResult permits AllocResult.Allocated, AllocResult.Failed {

    /** What happened along the way. */
    AllocTrace trace();

    /** A block was handed out. */
    record Allocated(Page page, AllocTrace trace) implements AllocResult {
    }

    /** NULL was returned (or the slow path was still looping when the retry budget ran out). */
    record Failed(AllocTrace trace) implements AllocResult {
    }
}
