package dev.oomsim.kernel.mm;

import java.util.List;

/** Direct compaction ({@code try_to_compact_pages}) as a pluggable, deterministic model (docs/kernel-model.md §2). */
public interface CompactionModel {

    /** Mirrors the part of {@code enum compact_result} the allocator looks at. */
    enum CompactResult { COMPACT_SKIPPED, COMPACT_COMPLETE, COMPACT_SUCCESS }

    /**
     * Tries to compact {@code zones} (eligible, zonelist order) for a block of {@code order}; success makes the
     * allocator walk the lists again. The default models read no zone state; one that does goes through
     * {@link NodeMemory}.
     */
    CompactResult compact(List<ZoneRef> zones, int order, GfpFlags gfp);

    /** The default: compaction never produces a page. */
    static CompactionModel alwaysFails() {
        return (zones, order, gfp) -> CompactResult.COMPACT_COMPLETE;
    }

    /** Compaction reports success (the allocator then walks the free lists again). */
    static CompactionModel alwaysSucceeds() {
        return (zones, order, gfp) -> CompactResult.COMPACT_SUCCESS;
    }
}
