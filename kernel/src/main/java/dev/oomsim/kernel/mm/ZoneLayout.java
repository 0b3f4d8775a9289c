package dev.oomsim.kernel.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * The zone's boot-time layout: which pfns were free (regions of equally spaced blocks) and therefore which were not.
 * The non-free pfns, in ascending order, are numbered by rank; tasks and reserved memory are handed rank ranges, so
 * owning a million pages costs two numbers. Immutable after construction.
 */
final class ZoneLayout {
    /** One region: {@code count} blocks of {@code size} pages at {@code start + i*stride}. */
    record Region(long start, long stride, long count, long size) {
        long end() {
            return start + (count - 1) * stride + size;
        }
    }

    interface RangeConsumer {
        void accept(long startPfn, long pages);
    }

    private final long startPfn;
    private final long endPfn;
    private final List<Region> regions;
    private final long nonFreePages;

    ZoneLayout(long startPfn, long endPfn, List<Region> regions) {
        this.startPfn = startPfn;
        this.endPfn = endPfn;
        this.regions = List.copyOf(regions);
        long free = 0;
        for (Region r : regions) {
            free += r.count * r.size;
        }
        this.nonFreePages = (endPfn - startPfn) - free;
    }

    long nonFreePages() {
        return nonFreePages;
    }

    List<Region> regions() {
        return regions;
    }

    /** Visits the non-free pfns of ranks {@code [from, to)} as maximal contiguous ranges, ascending. */
    void forEachRange(long from, long to, RangeConsumer out) {
        if (from >= to) {
            return;
        }
        long rank = 0;
        long cursor = startPfn;
        for (Region r : regions) {
            rank = emit(cursor, r.start - cursor, rank, from, to, out);
            if (rank >= to) {
                return;
            }
            long gap = r.stride - r.size;
            if (gap > 0 && r.count > 1) {
                long inner = (r.count - 1) * gap;
                if (rank + inner <= from) {
                    rank += inner;
                } else {
                    long first = Math.max(0, (from - rank) / gap);
                    rank += first * gap;
                    for (long i = first; i < r.count - 1 && rank < to; i++) {
                        rank = emit(r.start + i * r.stride + r.size, gap, rank, from, to, out);
                    }
                    if (rank >= to) {
                        return;
                    }
                }
            }
            cursor = r.end();
        }
        emit(cursor, endPfn - cursor, rank, from, to, out);
    }

    private static long emit(long pfn, long len, long rank, long from, long to, RangeConsumer out) {
        if (len <= 0) {
            return rank;
        }
        long lo = Math.max(rank, from);
        long hi = Math.min(rank + len, to);
        if (lo < hi) {
            out.accept(pfn + (lo - rank), hi - lo);
        }
        return rank + len;
    }

    /** The rank of a non-free pfn, or -1 when the pfn was free at boot or lies outside the zone. */
    long rankOf(long pfn) {
        if (pfn < startPfn || pfn >= endPfn) {
            return -1;
        }
        long rank = 0;
        long cursor = startPfn;
        for (Region r : regions) {
            if (pfn < r.start) {
                return rank + (pfn - cursor);
            }
            rank += r.start - cursor;
            if (pfn < r.end()) {
                long i = (pfn - r.start) / r.stride;
                long within = (pfn - r.start) % r.stride;
                if (within < r.size) {
                    return -1;
                }
                return rank + i * (r.stride - r.size) + (within - r.size);
            }
            rank += (r.count - 1) * (r.stride - r.size);
            cursor = r.end();
        }
        return rank + (pfn - cursor);
    }

    /**
     * Plans the placement of {@code counts[o]} free blocks of each order in {@code [start, end)}: highest order first,
     * each order in one ascending region right after the previous one; a block is followed by a non-free gap the size
     * of its buddy when there is room (so no two free buddies sit unmerged), else blocks are packed.
     */
    static List<Region> plan(long start, long end, long[] counts) {
        List<Region> out = new ArrayList<>();
        long cursor = start;
        for (int o = counts.length - 1; o >= 0; o--) {
            long n = counts[o];
            if (n == 0) {
                continue;
            }
            long size = 1L << o;
            long aligned = (cursor + size - 1) & -size;
            long stride = o < counts.length - 1 && aligned + (n - 1) * 2 * size + size <= end ? 2 * size : size;
            long regionEnd = aligned + (n - 1) * stride + size;
            if (regionEnd > end) {
                throw new IllegalArgumentException("free blocks do not fit: order " + o + " needs pfns up to "
                        + regionEnd + " but the zone ends at " + end);
            }
            out.add(new Region(aligned, stride, n, size));
            cursor = regionEnd;
        }
        return out;
    }
}
