package dev.oomsim.kernel.image;

import java.util.List;

import dev.oomsim.kernel.mm.BuddyOrder;
import dev.oomsim.kernel.mm.Watermarks;
import dev.oomsim.kernel.mm.ZoneType;

/**
 * Mirrors the mutable part of one {@code struct zone}: {@code NR_FREE_PAGES}, every {@code free_area}'s list in exact
 * order, the marks and {@code lowmem_reserve[]} (set at boot, but settable), {@code nr_reserved_highatomic}, the
 * reclaim model's reclaimable count, and the model's two cursors over the zone's boot-time non-free pages
 * ({@code loadRankCursor}: ranks handed to tasks at boot; {@code reservedRankFrom}: the first reserved rank reclaim
 * has not freed yet). {@code zoneIdx}, {@code type}, {@code startPfn} and {@code managedPages} name the zone the image
 * was taken of: a restore refuses another layout.
 */
public record ZoneImage(int zoneIdx, ZoneType type, long startPfn, long managedPages, long freePages,
        List<FreeListImage> freeLists, Watermarks watermarks, List<Long> lowmemReserve, long reservedHighatomicPages,
        long reclaimablePages, long loadRankCursor, long reservedRankFrom) {

    /** Checks one list per order, every block inside the zone, and {@code NR_FREE_PAGES = Σ nr_free[o]·2^o}. */
    public ZoneImage {
        String zone = "zone " + zoneIdx + " (" + type + ")";
        if (type == null || watermarks == null || freeLists == null || lowmemReserve == null) {
            throw new IllegalArgumentException(zone + ": type, watermarks, free lists and lowmem_reserve must be set");
        }
        freeLists = List.copyOf(freeLists);
        lowmemReserve = List.copyOf(lowmemReserve);
        if (freeLists.size() != BuddyOrder.MAX_ORDER) {
            throw new IllegalArgumentException(zone + ": expected " + BuddyOrder.MAX_ORDER + " free lists, got "
                    + freeLists.size());
        }
        if (startPfn < 0 || managedPages < 0) {
            throw new IllegalArgumentException(zone + ": start_pfn and managed_pages must be >= 0, got " + startPfn
                    + " and " + managedPages);
        }
        long endPfn = startPfn + managedPages;
        long listed = 0;
        for (int o = 0; o < BuddyOrder.MAX_ORDER; o++) {
            FreeListImage list = freeLists.get(o);
            if (list.order() != o) {
                throw new IllegalArgumentException(zone + ": free list " + o + " holds order " + list.order());
            }
            long size = 1L << o;
            for (int i = 0; i < list.size(); i++) {
                long pfn = list.pfn(i);
                if (pfn < startPfn || pfn + size > endPfn) {
                    throw new IllegalArgumentException(zone + ": free block at pfn " + pfn + " order " + o
                            + " lies outside [" + startPfn + ", " + endPfn + ")");
                }
            }
            listed += list.pages();
        }
        if (listed != freePages) {
            throw new IllegalArgumentException(zone + ": free " + freePages + " but the lists hold " + listed
                    + " pages");
        }
        if (reservedHighatomicPages < 0 || reclaimablePages < 0) {
            throw new IllegalArgumentException(zone + ": reserved_highatomic and reclaimable must be >= 0, got "
                    + reservedHighatomicPages + " and " + reclaimablePages);
        }
        if (loadRankCursor < 0 || reservedRankFrom < loadRankCursor) {
            throw new IllegalArgumentException(zone + ": expected 0 <= loadRankCursor <= reservedRankFrom, got "
                    + loadRankCursor + " and " + reservedRankFrom);
        }
    }

    /** Mirrors {@code zone->free_area[order]}. */
    public FreeListImage freeList(int order) {
        return freeLists.get(order);
    }

    /** Free blocks listed over every order: the {@code long}s this zone's lists cost in the image. */
    public long freeListPfns() {
        long n = 0;
        for (FreeListImage l : freeLists) {
            n += l.size();
        }
        return n;
    }
}
