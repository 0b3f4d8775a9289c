package dev.oomsim.kernel.mm;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Mirrors {@code struct free_area}, include/linux/mmzone.h: the free list of one order of one zone, with its
 * {@code nr_free}. Migrate types are collapsed into one list (kernel-model.md §2).
 *
 * <p>No per-page objects: membership ("is this pfn the head of a free block of exactly this order") is one bit in a
 * lazily allocated bitmap indexed by {@code pfn >> order}; list order is kept as two intrusive chains of explicitly
 * listed blocks (pushed at the head, pushed at the tail) in the zone's shared primitive {@link PfnLinks} map, around a
 * middle section of arithmetic runs ({@code start, stride, count}) produced by bulk loading. The list reads: head
 * chain, runs in ascending pfn order, tail chain. Owned by the thread that owns the {@link Zone} (the node's agent).
 */
public final class FreeArea {
    private static final int HEAD_CHAIN = 0;
    private static final int TAIL_CHAIN = 1;

    private final int order;
    private final long zoneStartPfn;
    private final long baseIndex;
    private final SparseBitmap heads;
    private final PfnLinks links;
    private final int[] first = {PfnLinks.NONE, PfnLinks.NONE};
    private final int[] last = {PfnLinks.NONE, PfnLinks.NONE};
    private final TreeMap<Long, long[]> runs = new TreeMap<>();
    private long nrFree;

    FreeArea(int order, long zoneStartPfn, long zoneEndPfn, PfnLinks links) {
        this.order = order;
        this.zoneStartPfn = zoneStartPfn;
        this.baseIndex = zoneStartPfn >>> order;
        long endIndex = zoneEndPfn == zoneStartPfn ? baseIndex : ((zoneEndPfn - 1) >>> order) + 1;
        this.heads = new SparseBitmap(endIndex - baseIndex);
        this.links = links;
    }

    /** The order of the blocks on this list. */
    public int order() {
        return order;
    }

    /** {@code nr_free}: number of blocks on this list. */
    public long nrFree() {
        return nrFree;
    }

    /** O(1): true when {@code pfn} heads a free block of exactly this order on this list. */
    public boolean isFreeHead(long pfn) {
        if ((pfn & ((1L << order) - 1)) != 0) {
            return false;
        }
        return heads.get((pfn >>> order) - baseIndex);
    }

    /** Mirrors {@code list_add}: puts a block at the head. */
    void addHead(long pfn) {
        link(pfn, HEAD_CHAIN, true);
    }

    /** Mirrors {@code list_add_tail}: puts a block at the tail. */
    void addTail(long pfn) {
        link(pfn, TAIL_CHAIN, false);
    }

    private void link(long pfn, int chain, boolean atFront) {
        int off = offset(pfn);
        if (isFreeHead(pfn)) {
            throw new IllegalStateException("pfn " + pfn + " already free at order " + order);
        }
        if (atFront) {
            int f = first[chain];
            links.put(off, PfnLinks.NONE, f, chain);
            if (f != PfnLinks.NONE) {
                links.setPrev(f, off);
            } else {
                last[chain] = off;
            }
            first[chain] = off;
        } else {
            int l = last[chain];
            links.put(off, l, PfnLinks.NONE, chain);
            if (l != PfnLinks.NONE) {
                links.setNext(l, off);
            } else {
                first[chain] = off;
            }
            last[chain] = off;
        }
        heads.set((pfn >>> order) - baseIndex, true);
        nrFree++;
    }

    /** Appends {@code count} blocks at {@code start, start+stride, ...} in list order (bulk load, before any tail push). */
    void addRun(long start, long stride, long count) {
        if (count == 0) {
            return;
        }
        if (first[TAIL_CHAIN] != PfnLinks.NONE || (!runs.isEmpty() && lastRunEnd() > start)) {
            throw new IllegalStateException("runs must be loaded in ascending order before tail pushes");
        }
        runs.put(start, new long[] {start, stride, count});
        for (long i = 0; i < count; i++) {
            heads.set(((start + i * stride) >>> order) - baseIndex, true);
        }
        nrFree += count;
    }

    private long lastRunEnd() {
        long[] r = runs.lastEntry().getValue();
        return r[0] + r[1] * (r[2] - 1) + 1;
    }

    /** Takes the head block off the list, or returns -1 when the list is empty. */
    long removeHead() {
        long pfn = peekHead();
        if (pfn >= 0) {
            remove(pfn);
        }
        return pfn;
    }

    /** The head block, or -1 when the list is empty. */
    public long peekHead() {
        if (first[HEAD_CHAIN] != PfnLinks.NONE) {
            return zoneStartPfn + first[HEAD_CHAIN];
        }
        if (!runs.isEmpty()) {
            return runs.firstKey();
        }
        if (first[TAIL_CHAIN] != PfnLinks.NONE) {
            return zoneStartPfn + first[TAIL_CHAIN];
        }
        return -1;
    }

    /** Mirrors {@code list_del} of a known free block of this order (the buddy being merged). */
    void remove(long pfn) {
        if (!isFreeHead(pfn)) {
            throw new IllegalStateException("pfn " + pfn + " is not free at order " + order);
        }
        int slot = links.indexOf(offset(pfn));
        if (slot != PfnLinks.NONE) {
            int p = links.prevAt(slot);
            int n = links.nextAt(slot);
            int chain = links.chainAt(slot);
            links.removeAt(slot);
            if (p != PfnLinks.NONE) {
                links.setNext(p, n);
            } else {
                first[chain] = n;
            }
            if (n != PfnLinks.NONE) {
                links.setPrev(n, p);
            } else {
                last[chain] = p;
            }
        } else {
            removeFromRun(pfn);
        }
        heads.set((pfn >>> order) - baseIndex, false);
        nrFree--;
    }

    private void removeFromRun(long pfn) {
        Map.Entry<Long, long[]> e = runs.floorEntry(pfn);
        long[] r = e.getValue();
        long start = r[0];
        long stride = r[1];
        long count = r[2];
        long idx = (pfn - start) / stride;
        if ((pfn - start) % stride != 0 || idx >= count) {
            throw new IllegalStateException("pfn " + pfn + " is marked free at order " + order + " but is on no list");
        }
        runs.remove(start);
        if (idx > 0) {
            runs.put(start, new long[] {start, stride, idx});
        }
        if (idx + 1 < count) {
            long s2 = pfn + stride;
            runs.put(s2, new long[] {s2, stride, count - idx - 1});
        }
    }

    /** Visits the blocks in list order, head first. */
    public void forEach(LongConsumer action) {
        visitChain(HEAD_CHAIN, action);
        for (long[] r : runs.values()) {
            for (long i = 0; i < r[2]; i++) {
                action.accept(r[0] + i * r[1]);
            }
        }
        visitChain(TAIL_CHAIN, action);
    }

    private void visitChain(int chain, LongConsumer action) {
        int off = first[chain];
        while (off != PfnLinks.NONE) {
            action.accept(zoneStartPfn + off);
            off = links.next(off);
        }
    }

    private int offset(long pfn) {
        return Math.toIntExact(pfn - zoneStartPfn);
    }
}
