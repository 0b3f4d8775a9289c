package dev.oomsim.kernel.mm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import dev.oomsim.kernel.image.FreeListImage;
import dev.oomsim.kernel.image.ZoneImage;

/**
 * Mirrors {@code struct zone}, include/linux/mmzone.h, with the buddy operations of mm/page_alloc.c that touch one
 * zone ({@code __rmqueue_smallest}, {@code expand}, {@code __free_one_page}). Mutable; owned by the single thread that
 * owns the zone's node (the in-process runner, later the node's agent).
 */
public final class Zone {
    /** {@code MAX_ORDER}, the name mmzone.h gives {@link BuddyOrder#MAX_ORDER} (the one definition). */
    public static final int MAX_ORDER = BuddyOrder.MAX_ORDER;

    private final int nodeId;
    private final ZoneType type;
    private final int index;
    private final long startPfn;
    private final long managedPages;
    private final FreeArea[] freeArea = new FreeArea[MAX_ORDER];
    private final ZoneLayout layout;
    private long freePages;
    private Watermarks watermarks = new Watermarks(0, 0, 0);
    private long[] lowmemReserve;
    private long reservedHighatomicPages;
    private long reclaimablePages;
    private long loadRankCursor;
    private long reservedRankFrom;

    /**
     * A zone whose boot-time free blocks are {@code regions} (see {@code ZoneLayout.plan}); every other pfn is held by
     * a task (claimed with {@link #claimLoadPages}) or reserved.
     */
    Zone(int nodeId, ZoneType type, int index, int nrZones, long startPfn, long managedPages,
            List<ZoneLayout.Region> regions) {
        if (startPfn < 0) {
            throw new IllegalArgumentException("start_pfn: must be >= 0, got " + startPfn);
        }
        if (managedPages < 0) {
            throw new IllegalArgumentException("managed_pages: must be >= 0, got " + managedPages);
        }
        this.nodeId = nodeId;
        this.type = type;
        this.index = index;
        this.startPfn = startPfn;
        this.managedPages = managedPages;
        this.lowmemReserve = new long[nrZones];
        LinkStore pageLinks = FreeArea.pageLinks(startPfn, startPfn + managedPages);
        for (int o = 0; o < MAX_ORDER; o++) {
            freeArea[o] = new FreeArea(o, startPfn, startPfn + managedPages, pageLinks);
        }
        List<ZoneLayout.Region> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(ZoneLayout.Region::start));
        long prevEnd = startPfn;
        for (ZoneLayout.Region r : sorted) {
            int order = Long.numberOfTrailingZeros(r.size());
            if (r.size() != (1L << order) || order >= MAX_ORDER) {
                throw new IllegalArgumentException("free block size " + r.size() + " is not 2^order");
            }
            if ((r.start() & (r.size() - 1)) != 0 || (r.stride() & (r.size() - 1)) != 0 || r.stride() < r.size()) {
                throw new IllegalArgumentException("free block at pfn " + r.start() + " is not aligned to order "
                        + order);
            }
            if (r.start() < prevEnd || r.end() > startPfn + managedPages) {
                throw new IllegalArgumentException("free block at pfn " + r.start() + " order " + order
                        + " overlaps another or lies outside the zone [" + startPfn + ", " + (startPfn + managedPages)
                        + ")");
            }
            prevEnd = r.end();
        }
        this.layout = new ZoneLayout(startPfn, startPfn + managedPages, sorted);
        for (ZoneLayout.Region r : regions) {
            FreeArea area = freeArea[Long.numberOfTrailingZeros(r.size())];
            if (r.count() == 1) {
                area.bootAddTail(r.start());
            } else {
                area.addRun(r.start(), r.stride(), r.count());
            }
            freePages += r.count() * r.size();
        }
    }

    /** Mirrors {@code zone->zone_pgdat->node_id}. */
    public int nodeId() {
        return nodeId;
    }

    /** The zone type. */
    public ZoneType type() {
        return type;
    }

    /** Mirrors {@code zone_idx}: the arch's index of this zone type. */
    public int index() {
        return index;
    }

    /** First pfn. */
    public long startPfn() {
        return startPfn;
    }

    /** One past the last pfn. */
    public long endPfn() {
        return startPfn + managedPages;
    }

    /** Mirrors {@code zone->managed_pages}. */
    public long managedPages() {
        return managedPages;
    }

    /** Mirrors {@code populated_zone}. */
    public boolean populated() {
        return managedPages > 0;
    }

    /** Mirrors {@code NR_FREE_PAGES}: always Σ nr_free[o]·2^o. */
    public long freePages() {
        return freePages;
    }

    /** Mirrors {@code zone->free_area[order]}. */
    public FreeArea freeArea(int order) {
        return freeArea[order];
    }

    /** {@code nr_free} per order. */
    public long[] nrFree() {
        long[] out = new long[MAX_ORDER];
        for (int o = 0; o < MAX_ORDER; o++) {
            out[o] = freeArea[o].nrFree();
        }
        return out;
    }

    /** The min/low/high marks. */
    public Watermarks watermarks() {
        return watermarks;
    }

    /** Sets the marks (boot arithmetic or a scenario override). */
    public void setWatermarks(Watermarks marks) {
        this.watermarks = marks;
    }

    /** Mirrors {@code zone->lowmem_reserve[classzone]}. */
    public long lowmemReserve(int classzoneIdx) {
        return lowmemReserve[classzoneIdx];
    }

    /** A copy of {@code lowmem_reserve[]}. */
    public long[] lowmemReserve() {
        return lowmemReserve.clone();
    }

    /** Sets {@code lowmem_reserve[]}. */
    public void setLowmemReserve(long[] reserve) {
        if (reserve.length != lowmemReserve.length) {
            throw new IllegalArgumentException("lowmem_reserve: expected " + lowmemReserve.length + " entries, got "
                    + reserve.length);
        }
        this.lowmemReserve = reserve.clone();
    }

    /** Mirrors {@code zone->nr_reserved_highatomic}. */
    public long reservedHighatomicPages() {
        return reservedHighatomicPages;
    }

    /** Sets {@code nr_reserved_highatomic}. */
    public void setReservedHighatomicPages(long pages) {
        if (pages < 0) {
            throw new IllegalArgumentException("reserved_highatomic: must be >= 0, got " + pages);
        }
        this.reservedHighatomicPages = pages;
    }

    /** Pages direct reclaim may still free from this zone (the model's reclaimable count). */
    public long reclaimablePages() {
        return reclaimablePages;
    }

    /** Sets the reclaimable count. */
    public void setReclaimablePages(long pages) {
        if (pages < 0) {
            throw new IllegalArgumentException("reclaimable_pages: must be >= 0, got " + pages);
        }
        this.reclaimablePages = pages;
    }

    /** Pages that are neither free nor held by a task, and were not free at boot. */
    public long reservedPages() {
        return layout.nonFreePages() - reservedRankFrom;
    }

    /**
     * Mirrors {@code __rmqueue_smallest}: takes the head block of the smallest non-empty order ≥ {@code order}; -1 if
     * none.
     */
    public long rmqueueSmallest(int order) {
        for (int current = order; current < MAX_ORDER; current++) {
            FreeArea area = freeArea[current];
            long pfn = area.removeHead();
            if (pfn < 0) {
                continue;
            }
            freePages -= 1L << current;
            expand(pfn, order, current);
            return pfn;
        }
        return -1;
    }

    /** Mirrors {@code expand}: puts the upper halves of a split block back at the head of each lower list. */
    void expand(long pfn, int low, int high) {
        long size = 1L << high;
        while (high > low) {
            high--;
            size >>= 1;
            freeArea[high].addSplitHead(pfn + size);
            freePages += size;
        }
    }

    /**
     * Mirrors {@code __free_one_page}: frees a block, merging with free buddies and applying the tail-placement rule.
     */
    public void freeOneBlock(long pfn, int order) {
        if (pfn < startPfn || pfn + (1L << order) > endPfn() || (pfn & ((1L << order) - 1)) != 0) {
            throw new IllegalArgumentException("free of pfn " + pfn + " order " + order
                    + " outside zone or misaligned");
        }
        while (order < MAX_ORDER - 1) {
            long buddy = pfn ^ (1L << order);
            if (!freeArea[order].removeIfFree(buddy)) {
                break;
            }
            freePages -= 1L << order;
            pfn &= buddy;
            order++;
        }
        if (order < MAX_ORDER - 2) {
            long combined = pfn & ~(1L << order);
            long higherBuddy = combined ^ (1L << (order + 1));
            if (freeArea[order + 1].isFreeHead(higherBuddy)) {
                freeArea[order].addTail(pfn);
                freePages += 1L << order;
                return;
            }
        }
        freeArea[order].addHead(pfn);
        freePages += 1L << order;
    }

    /** Frees {@code pages} contiguous pages starting at {@code pfn} as maximal aligned blocks, ascending. */
    public void freeRange(long pfn, long pages) {
        long end = pfn + pages;
        while (pfn < end) {
            int order = Math.min(MAX_ORDER - 1, Long.numberOfTrailingZeros(pfn));
            while ((1L << order) > end - pfn) {
                order--;
            }
            freeOneBlock(pfn, order);
            pfn += 1L << order;
        }
    }

    /**
     * Hands a task the next {@code pages} reserved pages (boot-time non-free pages nobody holds, lowest pfns first);
     * returns the first rank. At boot they follow the previous task's; after reclaim freed some reserved pages (they
     * are in the buddy lists), they start after those, so a task loaded later never takes a page twice.
     */
    long claimLoadPages(long pages) {
        long first = Math.max(loadRankCursor, reservedRankFrom);
        if (first + pages > layout.nonFreePages()) {
            throw new IllegalArgumentException("zone node " + nodeId + " " + type + ": tasks hold "
                    + (first + pages) + " pages but only " + layout.nonFreePages() + " are not free");
        }
        loadRankCursor = first + pages;
        reservedRankFrom = loadRankCursor;
        return first;
    }

    /** Frees the boot-time non-free pages of ranks {@code [from, to)}. */
    void freeLoadRanks(long from, long to) {
        layout.forEachRange(from, to, this::freeRange);
    }

    /** Rank of a boot-time non-free pfn, or -1. */
    long rankOf(long pfn) {
        return layout.rankOf(pfn);
    }

    /** Frees up to {@code pages} reserved (unattributed, reclaimable) pages, lowest pfns first, one page at a time. */
    long reclaimReserved(long pages) {
        long available = layout.nonFreePages() - reservedRankFrom;
        long n = Math.min(pages, available);
        layout.forEachRange(reservedRankFrom, reservedRankFrom + n, (pfn, len) -> {
            for (long p = pfn; p < pfn + len; p++) {
                freeOneBlock(p, 0);
            }
        });
        reservedRankFrom += n;
        return n;
    }

    /**
     * An image of the zone's mutable state (see {@link ZoneImage}): {@code NR_FREE_PAGES}, each free list head to tail,
     * marks, reserves, {@code nr_reserved_highatomic}, the reclaimable count and the two rank cursors.
     */
    ZoneImage captureImage() {
        List<FreeListImage> lists = new ArrayList<>();
        for (FreeArea area : freeArea) {
            lists.add(area.captureImage());
        }
        List<Long> reserve = new ArrayList<>();
        for (long r : lowmemReserve) {
            reserve.add(r);
        }
        return new ZoneImage(index, type, startPfn, managedPages, freePages, lists, watermarks, reserve,
                reservedHighatomicPages, reclaimablePages, loadRankCursor, reservedRankFrom);
    }

    /**
     * Throws unless {@code image} was taken of a zone like this one: same index, type, span and number of reserve
     * entries, rank cursors within the zone's boot-time non-free pages, and free blocks that do not overlap.
     */
    void requireFits(ZoneImage image) {
        String what = "node " + nodeId + " zone " + type + ": ";
        // an empty zone starts wherever the populated ones before it end: only its emptiness must match
        boolean sameSpan = image.managedPages() == managedPages && (managedPages == 0 || image.startPfn() == startPfn);
        if (image.zoneIdx() != index || image.type() != type || !sameSpan) {
            throw new IllegalArgumentException(what + "the image is of zone " + image.zoneIdx() + " " + image.type()
                    + " spanning [" + image.startPfn() + ", " + (image.startPfn() + image.managedPages())
                    + "), this zone is " + index + " " + type + " spanning [" + startPfn + ", " + endPfn() + ")");
        }
        if (image.lowmemReserve().size() != lowmemReserve.length) {
            throw new IllegalArgumentException(what + "the image has " + image.lowmemReserve().size()
                    + " lowmem_reserve entries, this zone " + lowmemReserve.length);
        }
        if (image.reservedRankFrom() > layout.nonFreePages()) {
            throw new IllegalArgumentException(what + "the image's rank cursor " + image.reservedRankFrom()
                    + " lies past the zone's " + layout.nonFreePages() + " boot-time non-free pages");
        }
        requireDisjoint(image, what);
    }

    /** Throws when two of the image's free blocks share a page (also a block listed twice). */
    private static void requireDisjoint(ZoneImage image, String what) {
        long[] blocks = new long[Math.toIntExact(image.freeListPfns())];
        int n = 0;
        for (int o = 0; o < MAX_ORDER; o++) {
            FreeListImage list = image.freeList(o);
            for (int i = 0; i < list.size(); i++) {
                blocks[n++] = (list.pfn(i) << 4) | o;
            }
        }
        Arrays.sort(blocks);
        for (int i = 1; i < n; i++) {
            long prevEnd = (blocks[i - 1] >>> 4) + (1L << (blocks[i - 1] & 0xf));
            if (prevEnd > blocks[i] >>> 4) {
                throw new IllegalArgumentException(what + "free block at pfn " + (blocks[i - 1] >>> 4) + " order "
                        + (blocks[i - 1] & 0xf) + " overlaps the one at pfn " + (blocks[i] >>> 4) + " order "
                        + (blocks[i] & 0xf));
            }
        }
    }

    /**
     * Overwrites the zone's mutable state with {@code image}, which the caller checked with {@link #requireFits}: every
     * free list rebuilt in the image's order, then the counters, marks, reserves and cursors.
     */
    void restoreImage(ZoneImage image) {
        for (int o = 0; o < MAX_ORDER; o++) {
            freeArea[o].restoreImage(image.freeList(o));
        }
        freePages = image.freePages();
        watermarks = image.watermarks();
        for (int i = 0; i < lowmemReserve.length; i++) {
            lowmemReserve[i] = image.lowmemReserve().get(i);
        }
        reservedHighatomicPages = image.reservedHighatomicPages();
        reclaimablePages = image.reclaimablePages();
        loadRankCursor = image.loadRankCursor();
        reservedRankFrom = image.reservedRankFrom();
    }

    /** Lists free blocks as {@code [pfn, order]} in list order per order, lowest order first (tests, state dumps). */
    public List<long[]> freeBlocks() {
        List<long[]> out = new ArrayList<>();
        for (int o = 0; o < MAX_ORDER; o++) {
            final int order = o;
            freeArea[o].forEach(pfn -> out.add(new long[] {pfn, order}));
        }
        return out;
    }

    @Override
    public String toString() {
        return "Node " + nodeId + " " + type + " free=" + freePages + " nr_free=" + Arrays.toString(nrFree());
    }
}
