package dev.oomsim.stack.trace;

/** One line of a {@code kmem:mm_page_alloc} / {@code kmem:mm_page_free} trace, parsed. */
public sealed interface TraceEvent {

    /** The 1-based line number in the trace file. */
    long line();

    /** The task the line was recorded in: comm as printed (may hold spaces or {@code <idle>}) and pid. */
    String comm();

    int pid();

    int cpu();

    /** The trace timestamp in nanoseconds. */
    long timestampNanos();

    /** {@code mm_page_alloc}: pfn is {@code -1} when the allocation failed; gfp as the kernel printed it. */
    record PageAlloc(long line, String comm, int pid, int cpu, long timestampNanos, long pfn, int order,
            int migratetype, String gfpText) implements TraceEvent {
        /** Whether the allocation failed (the kernel prints pfn {@code -1UL}, or page {@code (nil)}). */
        public boolean failed() {
            return pfn == -1L;
        }
    }

    /** {@code mm_page_free}: comm/pid are the freeing context, not necessarily the task that allocated the page. */
    record PageFree(long line, String comm, int pid, int cpu, long timestampNanos, long pfn, int order)
            implements TraceEvent {
    }
}
