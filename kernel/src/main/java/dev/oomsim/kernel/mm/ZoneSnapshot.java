package dev.oomsim.kernel.mm;

import java.util.Arrays;
import java.util.Objects;

/**
 * One zone's counters at one instant, as a node answers for them (the reads of {@code should_reclaim_retry} and the
 * boot and state reports): identity, {@code managed}, {@code NR_FREE_PAGES}, {@code nr_free[]}, the marks,
 * {@code lowmem_reserve[]}, {@code nr_reserved_highatomic} and the model's reclaimable count. Immutable: the arrays are
 * copies and are only read through {@link #nrFree(int)} and {@link #lowmemReserve(int)}.
 */
public record ZoneSnapshot(int nodeId, int zoneIdx, ZoneType type, long managedPages, long freePages, long[] nrFree,
        Watermarks watermarks, long[] lowmemReserve, long reservedHighatomicPages, long reclaimablePages) {

    /** Copies the arrays and validates the counts. */
    public ZoneSnapshot {
        if (nrFree.length != Zone.MAX_ORDER) {
            throw new IllegalArgumentException("nr_free: expected " + Zone.MAX_ORDER + " orders, got " + nrFree.length);
        }
        if (freePages < 0) {
            throw new IllegalArgumentException("free: must be >= 0, got " + freePages);
        }
        nrFree = nrFree.clone();
        lowmemReserve = lowmemReserve.clone();
    }

    /** The zone's current state. */
    static ZoneSnapshot of(Zone z) {
        return new ZoneSnapshot(z.nodeId(), z.index(), z.type(), z.managedPages(), z.freePages(), z.nrFree(),
                z.watermarks(), z.lowmemReserve(), z.reservedHighatomicPages(), z.reclaimablePages());
    }

    /** {@code nr_free} of one order. */
    public long nrFree(int order) {
        return nrFree[order];
    }

    /** A copy of {@code nr_free[]}. */
    @Override
    public long[] nrFree() {
        return nrFree.clone();
    }

    /** {@code lowmem_reserve[classzoneIdx]}. */
    public long lowmemReserve(int classzoneIdx) {
        return lowmemReserve[classzoneIdx];
    }

    /** A copy of {@code lowmem_reserve[]}. */
    @Override
    public long[] lowmemReserve() {
        return lowmemReserve.clone();
    }

    /** Equal when every counter is (the arrays by content). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ZoneSnapshot z && nodeId == z.nodeId && zoneIdx == z.zoneIdx && type == z.type
                && managedPages == z.managedPages && freePages == z.freePages && Arrays.equals(nrFree, z.nrFree)
                && watermarks.equals(z.watermarks) && Arrays.equals(lowmemReserve, z.lowmemReserve)
                && reservedHighatomicPages == z.reservedHighatomicPages && reclaimablePages == z.reclaimablePages;
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeId, zoneIdx, type, managedPages, freePages, Arrays.hashCode(nrFree), watermarks,
                Arrays.hashCode(lowmemReserve), reservedHighatomicPages, reclaimablePages);
    }

    @Override
    public String toString() {
        return "ZoneSnapshot[node " + nodeId + " " + type + " managed=" + managedPages + " free=" + freePages
                + " nr_free=" + Arrays.toString(nrFree) + " " + watermarks + " lowmem_reserve="
                + Arrays.toString(lowmemReserve) + " reserved_highatomic=" + reservedHighatomicPages + " reclaimable="
                + reclaimablePages + "]";
    }

    /** Mirrors {@code populated_zone}. */
    public boolean populated() {
        return managedPages > 0;
    }
}
