package dev.oomsim.kernel.mm;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

import dev.oomsim.kernel.image.FreeListImage;

/**
 * Mirrors {@code struct free_area}, include/linux/mmzone.h: the free list of one order of one zone, with its
 * {@code nr_free}. Migrate types are collapsed into one list (docs/kernel-model.md §2).
 *
 * <p>No per-page objects. A block is named by its key, {@code (pfn - linkBase) >> order}, where {@code linkBase} is
 * the zone's start rounded down to a {@code MAX_ORDER - 1} boundary. Membership ("is this pfn the head of a free block
 * of exactly this order") is one bit per key in a lazily allocated bitmap. List order is kept as in the kernel, by an
 * intrusive doubly-linked list whose links live where {@code page->lru} lives: in the block's own pages. A free block
 * of order ≥ 1 owns two pages, the first holds its {@code prev} and the second its {@code next}; a free order-0 block
 * borrows its buddy's page, which no free block can cover while the block itself is free and unmerged. The zone shares
 * one {@link LinkStore} of one entry per page for orders below {@code MAX_ORDER - 1}; the top order, whose buddies
 * never merge, has its own store of two entries per block. The one case where an order-0 block cannot borrow its buddy
 * (both buddies free at order 0, which only a boot layout can produce) keeps its links in a small map.
 *
 * <p>The list reads: the deferred head (the block pushed at the head last, kept in a field, neither in the bitmap nor
 * linked, until the next head push links it), head chain (blocks pushed at the head), the bulk-loaded runs
 * ({@code start, stride, count}) in ascending pfn order, tail chain (blocks pushed at the tail). So a block pushed and
 * taken straight back (the split halves of {@code expand} that {@code __free_one_page} merges again, on a zone of
 * large free blocks) costs two field writes. The first block of a chain does not store its {@code prev}, nor the last
 * its {@code next}. Owned by the thread that owns the {@link Zone} (the node's agent).
 */
public final class FreeArea {
    private static final int NONE = -1;
    /** Runs a list may split into before its runs are linked like pushed blocks (see {@link #linkRuns}). */
    static final int MAX_RUNS = 1024;

    private final int order;
    private final long linkBase;
    private final SparseBitmap heads;
    private final LinkStore links;
    private final int slotShift;
    private Map<Integer, int[]> unpaired;
    private int headFirst = NONE;
    private int headLast = NONE;
    private int tailFirst = NONE;
    private int tailLast = NONE;
    private final TreeMap<Long, long[]> runs = new TreeMap<>();
    private long runsFrom = Long.MAX_VALUE;
    private long runsTo = Long.MIN_VALUE;
    private long deferredHead = -1;
    private long nrFree;

    /**
     * The free area of {@code order} for the zone {@code [zoneStartPfn, zoneEndPfn)}; below the top order, its links
     * go to the zone's shared per-page store {@code pageLinks} (see {@link #pageLinks}).
     */
    FreeArea(int order, long zoneStartPfn, long zoneEndPfn, LinkStore pageLinks) {
        this.order = order;
        this.linkBase = linkBase(zoneStartPfn);
        long keys = keys(order, zoneStartPfn, zoneEndPfn);
        this.heads = new SparseBitmap(keys);
        if (order == Zone.MAX_ORDER - 1) {
            this.links = new LinkStore(2 * keys, Math.max(0, keys - 1));
            this.slotShift = 1;
        } else {
            this.links = pageLinks;
            this.slotShift = order;
        }
    }

    /** The store of one link per page the zone's free areas below the top order share. */
    static LinkStore pageLinks(long zoneStartPfn, long zoneEndPfn) {
        long pages = (zoneEndPfn - linkBase(zoneStartPfn) + 1) & ~1L;
        return new LinkStore(pages, Math.max(0, keys(0, zoneStartPfn, zoneEndPfn) - 1));
    }

    private static long linkBase(long zoneStartPfn) {
        return zoneStartPfn & -(1L << (Zone.MAX_ORDER - 1));
    }

    private static long keys(int order, long zoneStartPfn, long zoneEndPfn) {
        long base = linkBase(zoneStartPfn);
        return zoneEndPfn <= zoneStartPfn ? 0 : (zoneEndPfn - base + (1L << order) - 1) >>> order;
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
        if (pfn == deferredHead) {
            return true;
        }
        if ((pfn & ((1L << order) - 1)) != 0) {
            return false;
        }
        return heads.get((pfn - linkBase) >> order);
    }

    /**
     * Mirrors {@code list_add}: puts a block at the head; rejects a block already free. The block's buddy must not be
     * free at this order (true of every push {@code expand} and {@code __free_one_page} make: the one pushes the half
     * whose buddy it keeps, the other stops at a buddy that is not free).
     */
    void addHead(long pfn) {
        if (isFreeHead(pfn)) {
            throw new IllegalStateException("pfn " + pfn + " already free at order " + order);
        }
        deferHead(pfn);
    }

    /**
     * Mirrors {@code list_add} of one of {@code expand}'s upper halves: a part of a block just taken off the lists,
     * so not free anywhere (no check).
     */
    void addSplitHead(long pfn) {
        deferHead(pfn);
    }

    /**
     * The block pushed last at the head stays unlinked (the deferred head: no bitmap bit, no links) until another
     * head push links it; taking it straight back, as {@code __free_one_page} does with the halves {@code expand}
     * just pushed, costs two field writes.
     */
    private void deferHead(long pfn) {
        if (deferredHead >= 0) {
            linkHead(deferredHead);
        }
        deferredHead = pfn;
        nrFree++;
    }

    private void linkHead(long pfn) {
        int key = claim(pfn, false);
        int f = headFirst;
        if (f == NONE) {
            headLast = key;
        } else {
            setNext(key, f);
            setPrev(f, key);
        }
        headFirst = key;
    }

    /** Mirrors {@code list_add_tail}: puts a block at the tail (its buddy not free at this order, as for addHead). */
    void addTail(long pfn) {
        addTail(pfn, false);
    }

    /**
     * Boot-time {@code list_add_tail} of a block listed on its own, whose buddy may be free at this order too (only a
     * boot layout can do that).
     */
    void bootAddTail(long pfn) {
        addTail(pfn, true);
    }

    private void addTail(long pfn, boolean buddyMayBeFree) {
        if (pfn == deferredHead) {
            throw new IllegalStateException("pfn " + pfn + " already free at order " + order);
        }
        int key = claim(pfn, buddyMayBeFree);
        nrFree++;
        int l = tailLast;
        if (l == NONE) {
            tailFirst = key;
        } else {
            setPrev(key, l);
            setNext(l, key);
        }
        tailLast = key;
    }

    /**
     * Marks a block free (its links are the caller's to set, its count too); rejects a block already free. An order-0
     * block whose buddy is free too gets its links from the map, its buddy's page being taken.
     */
    private int claim(long pfn, boolean buddyMayBeFree) {
        long offset = pfn - linkBase;
        if (offset >= 1L << 31) {
            throw new IllegalStateException("pfn " + pfn + " lies beyond the 2^31 pages a zone's free lists can link");
        }
        int key = (int) (offset >> order);
        if (!heads.testAndSet(key)) {
            throw new IllegalStateException("pfn " + pfn + " already free at order " + order);
        }
        if (buddyMayBeFree && order == 0 && isFreeHead(pfn ^ 1)) {
            if (unpaired == null) {
                unpaired = new HashMap<>();
            }
            unpaired.put(key, new int[] {NONE, NONE});
        }
        return key;
    }

    /**
     * Appends {@code count} blocks at {@code start, start+stride, ...} in list order (bulk load, before any tail push).
     */
    void addRun(long start, long stride, long count) {
        if (count == 0) {
            return;
        }
        if (tailFirst != NONE || (!runs.isEmpty() && lastRunEnd() > start)) {
            throw new IllegalStateException("runs must be loaded in ascending order before tail pushes");
        }
        runs.put(start, new long[] {start, stride, count});
        for (long i = 0; i < count; i++) {
            heads.set(((start + i * stride) - linkBase) >> order, true);
        }
        runsFrom = Math.min(runsFrom, start);
        runsTo = Math.max(runsTo, start + (count - 1) * stride + 1);
        nrFree += count;
    }

    private long lastRunEnd() {
        long[] r = runs.lastEntry().getValue();
        return r[0] + r[1] * (r[2] - 1) + 1;
    }

    /** Takes the head block off the list, or returns -1 when the list is empty. */
    long removeHead() {
        if (nrFree == 0) {
            return -1;
        }
        long deferred = deferredHead;
        if (deferred >= 0) {
            deferredHead = -1;
            nrFree--;
            return deferred;
        }
        int key = headFirst;
        if (key == NONE) {
            long pfn = peekHead();
            remove(pfn);
            return pfn;
        }
        heads.testAndClear(key);
        nrFree--;
        if (key == headLast) {
            headFirst = NONE;
            headLast = NONE;
        } else {
            headFirst = next(key);
        }
        forget(key);
        return pfnOf(key);
    }

    /** The head block, or -1 when the list is empty. */
    public long peekHead() {
        if (deferredHead >= 0) {
            return deferredHead;
        }
        if (headFirst != NONE) {
            return pfnOf(headFirst);
        }
        if (!runs.isEmpty()) {
            return runs.firstKey();
        }
        if (tailFirst != NONE) {
            return pfnOf(tailFirst);
        }
        return -1;
    }

    /** Mirrors {@code list_del} of a free block of this order (the head, or the buddy being merged). */
    void remove(long pfn) {
        if (!removeIfFree(pfn)) {
            throw new IllegalStateException("pfn " + pfn + " is not free at order " + order);
        }
    }

    /**
     * Mirrors {@code page_is_buddy} followed by {@code list_del}: when {@code pfn} heads a free block of exactly this
     * order, takes it off the list and returns true; otherwise changes nothing. One bitmap step for both.
     */
    boolean removeIfFree(long pfn) {
        if (pfn == deferredHead) {
            deferredHead = -1;
            nrFree--;
            return true;
        }
        if ((pfn & ((1L << order) - 1)) != 0 || !heads.testAndClear((pfn - linkBase) >> order)) {
            return false;
        }
        int key = (int) ((pfn - linkBase) >> order);
        nrFree--;
        unlink(pfn, key);
        return true;
    }

    private void unlink(long pfn, int key) {
        if (key == headFirst) {
            if (key == headLast) {
                headFirst = NONE;
                headLast = NONE;
            } else {
                headFirst = next(key);
            }
        } else if (key == headLast) {
            headLast = prev(key);
        } else if (key == tailFirst) {
            if (key == tailLast) {
                tailFirst = NONE;
                tailLast = NONE;
            } else {
                tailFirst = next(key);
            }
        } else if (key == tailLast) {
            tailLast = prev(key);
        } else if (pfn >= runsFrom && pfn < runsTo && removeFromRun(pfn)) {
            return;
        } else {
            int p = prev(key);
            int n = next(key);
            setNext(p, n);
            setPrev(n, p);
        }
        forget(key);
    }

    private void forget(int key) {
        if (unpaired != null) {
            unpaired.remove(key);
        }
    }

    /** Takes {@code pfn} out of the run holding it; false when no run holds it. */
    private boolean removeFromRun(long pfn) {
        Map.Entry<Long, long[]> e = runs.floorEntry(pfn);
        if (e == null) {
            return false;
        }
        long[] r = e.getValue();
        long start = r[0];
        long stride = r[1];
        long count = r[2];
        long idx = (pfn - start) / stride;
        if ((pfn - start) % stride != 0 || idx >= count) {
            return false;
        }
        runs.remove(start);
        if (idx > 0) {
            runs.put(start, new long[] {start, stride, idx});
        }
        if (idx + 1 < count) {
            long s2 = pfn + stride;
            runs.put(s2, new long[] {s2, stride, count - idx - 1});
        }
        if (runs.size() > MAX_RUNS) {
            linkRuns();
        }
        return true;
    }

    /**
     * Bounds what runs cost: merges that take blocks out of the middle of runs split them, one map entry each, so past
     * {@link #MAX_RUNS} the run blocks are linked, in list order, after the head chain (where the runs sit), into the
     * page slots they own anyway. Done at most once per list, as runs only come from boot. Not for order-0 runs of
     * side-by-side buddies: those blocks could not borrow their buddies' pages (and they leave their runs only from the
     * front, splitting nothing).
     */
    private void linkRuns() {
        if (order == 0) {
            for (long[] r : runs.values()) {
                if (r[1] == 1) {
                    return;
                }
            }
        }
        for (long[] r : runs.values()) {
            for (long i = 0; i < r[2]; i++) {
                appendToHeadChain((int) ((r[0] + i * r[1] - linkBase) >> order));
            }
        }
        runs.clear();
        runsFrom = Long.MAX_VALUE;
        runsTo = Long.MIN_VALUE;
    }

    /** Links a claimed block after the last of the head chain (where the runs begin). */
    private void appendToHeadChain(int key) {
        if (headLast == NONE) {
            headFirst = key;
        } else {
            setNext(headLast, key);
            setPrev(key, headLast);
        }
        headLast = key;
    }

    /** Visits the blocks in list order, head first. */
    public void forEach(LongConsumer action) {
        if (deferredHead >= 0) {
            action.accept(deferredHead);
        }
        visitChain(headFirst, headLast, action);
        for (long[] r : runs.values()) {
            for (long i = 0; i < r[2]; i++) {
                action.accept(r[0] + i * r[1]);
            }
        }
        visitChain(tailFirst, tailLast, action);
    }

    /** The list for an image: every block's pfn, head first, whatever the representation. */
    FreeListImage captureImage() {
        long[] pfns = new long[Math.toIntExact(nrFree)];
        int[] i = {0};
        forEach(pfn -> pfns[i[0]++] = pfn);
        return new FreeListImage(order, pfns);
    }

    /**
     * Replaces the list with {@code image}'s blocks in its order (the zone checked they fit and do not overlap). The
     * longest stretch of the list at one ascending stride is loaded as a run, as boot loads a region; the blocks before
     * it are linked as the head chain and those after as the tail chain, so the list reads exactly as the image does
     * and a restored boot-time list costs what the booted one did. Blocks are linked after the run is loaded, each
     * claimed as {@link #bootAddTail} does: an order-0 block whose buddy is free at order 0 too (left so by a boot
     * layout) keeps its links in the small map, whichever of the two the list holds first.
     */
    void restoreImage(FreeListImage image) {
        if (image.order() != order) {
            throw new IllegalArgumentException("free list of order " + image.order() + " restored into order " + order);
        }
        heads.clear();
        unpaired = null;
        headFirst = NONE;
        headLast = NONE;
        tailFirst = NONE;
        tailLast = NONE;
        runs.clear();
        runsFrom = Long.MAX_VALUE;
        runsTo = Long.MIN_VALUE;
        deferredHead = -1;
        nrFree = 0;
        int n = image.size();
        int runFrom = 0;
        int runLength = 0;
        for (int i = 0; i + 1 < n; ) {
            long stride = image.pfn(i + 1) - image.pfn(i);
            int end = i + 1;
            while (stride > 0 && end < n && image.pfn(end) - image.pfn(end - 1) == stride) {
                end++;
            }
            if (stride > 0 && end - i > runLength) {
                runFrom = i;
                runLength = end - i;
            }
            i = Math.max(i + 1, end - 1);
        }
        if (runLength > 0) {
            addRun(image.pfn(runFrom), image.pfn(runFrom + 1) - image.pfn(runFrom), runLength);
        }
        for (int i = 0; i < runFrom; i++) {
            appendToHeadChain(claim(image.pfn(i), true));
            nrFree++;
        }
        for (int i = runFrom + runLength; i < n; i++) {
            addTail(image.pfn(i), true);
        }
    }

    private void visitChain(int first, int last, LongConsumer action) {
        int key = first;
        while (key != NONE) {
            action.accept(pfnOf(key));
            key = key == last ? NONE : next(key);
        }
    }

    private long pfnOf(int key) {
        return linkBase + ((long) key << order);
    }

    // The links of a listed block: prev in its first slot, next in the other (see the class comment).

    private int prev(int key) {
        if (unpaired != null && !unpaired.isEmpty()) {
            int[] l = unpaired.get(key);
            if (l != null) {
                return l[0];
            }
        }
        return links.get(key << slotShift);
    }

    private int next(int key) {
        if (unpaired != null && !unpaired.isEmpty()) {
            int[] l = unpaired.get(key);
            if (l != null) {
                return l[1];
            }
        }
        return links.get((key << slotShift) ^ 1);
    }

    private void setPrev(int key, int value) {
        if (unpaired != null && !unpaired.isEmpty()) {
            int[] l = unpaired.get(key);
            if (l != null) {
                l[0] = value;
                return;
            }
        }
        links.set(key << slotShift, value);
    }

    private void setNext(int key, int value) {
        if (unpaired != null && !unpaired.isEmpty()) {
            int[] l = unpaired.get(key);
            if (l != null) {
                l[1] = value;
                return;
            }
        }
        links.set((key << slotShift) ^ 1, value);
    }
}
