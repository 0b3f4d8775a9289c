package dev.oomsim.kernel.mm;

import java.util.List;

/**
 * How to build one zone: type, managed pages, optional start pfn (null: right after the previous zone), the free
 * blocks either as counts per order ({@code freeCounts}, placed by {@link ZoneLayout#plan}) or as exact
 * {@code [pfn, order]} pairs ({@code freeBlocks}), reclaimable pages, an optional watermark override and the
 * highatomic reserve.
 */
public record ZoneSpec(ZoneType type, long managedPages, Long startPfn, long[] freeCounts, List<long[]> freeBlocks,
        long reclaimablePages, Watermarks watermarks, long reservedHighatomicPages) {

    /** Validates the fields. */
    public ZoneSpec {
        if (type == null) {
            throw new IllegalArgumentException("type: must be set");
        }
        if (managedPages < 0) {
            throw new IllegalArgumentException("managed_pages: must be >= 0, got " + managedPages);
        }
        if (freeCounts != null && freeCounts.length != Zone.MAX_ORDER) {
            throw new IllegalArgumentException("free: expected 11 orders, got " + freeCounts.length);
        }
        if (reclaimablePages < 0) {
            throw new IllegalArgumentException("reclaimable_pages: must be >= 0, got " + reclaimablePages);
        }
        if (reservedHighatomicPages < 0) {
            throw new IllegalArgumentException("reserved_highatomic: must be >= 0, got " + reservedHighatomicPages);
        }
    }
}
