package dev.oomsim.kernel.task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.oomsim.kernel.image.MmImage;

/**
 * Mirrors the counters of {@code struct mm_struct} the OOM killer reads, plus which pages the mm holds: per zone, rank
 * ranges of the zone's boot-time non-free pages and blocks allocated since. Tasks sharing an mm share this object.
 * Mutable; owned by the thread that owns the {@link TaskTable}.
 */
public final class Mm {
    /** Pages held in one zone. */
    public static final class Holding {
        final List<long[]> rankRanges = new ArrayList<>();
        final TreeMap<Long, Integer> blocks = new TreeMap<>();

        /** Boot-time rank ranges {@code [from, to)}. */
        public List<long[]> rankRanges() {
            return rankRanges;
        }

        /** Blocks allocated at run time: pfn to order. */
        public TreeMap<Long, Integer> blocks() {
            return blocks;
        }
    }

    private final int id;
    private final long[] anonPages;
    private final long[] filePages;
    private long swapents;
    private long nrPtes;
    private long nrPmds;
    private long totalVmPages;
    private long shmemPages;
    private boolean oomSkip;
    private final Map<Long, Holding> holdings = new LinkedHashMap<>();

    /** An empty mm for {@code nrNodes} nodes. */
    public Mm(int id, int nrNodes) {
        this.id = id;
        this.anonPages = new long[nrNodes];
        this.filePages = new long[nrNodes];
    }

    /** The mm id (the pid of the task that owns the counters). */
    public int id() {
        return id;
    }

    /** MM_ANONPAGES on a node. */
    public long anonPages(int node) {
        return anonPages[node];
    }

    /** MM_FILEPAGES on a node. */
    public long filePages(int node) {
        return filePages[node];
    }

    /** Σ MM_ANONPAGES over nodes. */
    public long anonPages() {
        long s = 0;
        for (long v : anonPages) {
            s += v;
        }
        return s;
    }

    /** Σ MM_FILEPAGES over nodes. */
    public long filePages() {
        long s = 0;
        for (long v : filePages) {
            s += v;
        }
        return s;
    }

    /**
     * MM_SHMEMPAGES (v4.5+): shmem pages the mm maps, a counter of the mm on no node (the scenario's
     * {@code shmem_pages}). v4.4 counted them in MM_FILEPAGES, so the seed's rss counts them and its kill line's
     * file-rss shows them (docs/kernel-model.md §3).
     */
    public long shmemPages() {
        return shmemPages;
    }

    /** Sets MM_SHMEMPAGES. */
    public void setShmemPages(long pages) {
        if (pages < 0) {
            throw new IllegalArgumentException("shmemPages: must be >= 0, got " + pages);
        }
        this.shmemPages = pages;
    }

    /** Mirrors {@code get_mm_rss}: anon + file (+ shmem) over all nodes. */
    public long rssPages() {
        return anonPages() + filePages() + shmemPages;
    }

    /** rss on one node. */
    public long rssPages(int node) {
        return anonPages[node] + filePages[node];
    }

    /** Adds to the per-node counters. */
    public void addRss(int node, long anon, long file) {
        anonPages[node] += anon;
        filePages[node] += file;
    }

    /** Removes {@code pages} from the node's counters, anon first. */
    public void subRss(int node, long pages) {
        long a = Math.min(pages, anonPages[node]);
        anonPages[node] -= a;
        filePages[node] = Math.max(0, filePages[node] - (pages - a));
    }

    /** Sets the node's counters (restoring an image of the node that holds the pages). */
    public void setRss(int node, long anon, long file) {
        anonPages[node] = anon;
        filePages[node] = file;
    }

    /** MM_SWAPENTS. */
    public long swapents() {
        return swapents;
    }

    /** {@code mm->nr_ptes}. */
    public long nrPtes() {
        return nrPtes;
    }

    /** {@code mm_nr_pmds}. */
    public long nrPmds() {
        return nrPmds;
    }

    /** {@code mm->total_vm}, pages. */
    public long totalVmPages() {
        return totalVmPages;
    }

    /** Sets the static counters. */
    public void setCounters(long swapents, long nrPtes, long nrPmds, long totalVmPages) {
        this.swapents = swapents;
        this.nrPtes = nrPtes;
        this.nrPmds = nrPmds;
        this.totalVmPages = totalVmPages;
    }

    /** MMF_OOM_SKIP (modern: the reaper is done with it). */
    public boolean oomSkip() {
        return oomSkip;
    }

    /** Sets MMF_OOM_SKIP. */
    public void setOomSkip(boolean value) {
        this.oomSkip = value;
    }

    /** The holding in zone {@code (node, zoneIdx)}, created on demand. */
    public Holding holding(int node, int zoneIdx) {
        return holdings.computeIfAbsent(key(node, zoneIdx), k -> new Holding());
    }

    /** All holdings keyed by {@link #key}. */
    public Map<Long, Holding> holdings() {
        return holdings;
    }

    /** Holding key of a zone. */
    public static long key(int node, int zoneIdx) {
        return ((long) node << 8) | zoneIdx;
    }

    /** The node of a holding {@link #key}. */
    public static int keyNode(long key) {
        return (int) (key >>> 8);
    }

    /** The zone index of a holding {@link #key}. */
    public static int keyZone(long key) {
        return (int) (key & 0xff);
    }

    /** An image of the node-independent counters (the per-node ones are imaged by each node's memory). */
    public MmImage captureImage() {
        return new MmImage(id, swapents, nrPtes, nrPmds, totalVmPages, shmemPages, oomSkip);
    }

    /** Overwrites the node-independent counters with {@code image}'s; throws when it is another mm's. */
    public void restoreImage(MmImage image) {
        if (image.id() != id) {
            throw new IllegalArgumentException("mm " + id + ": the image is of mm " + image.id());
        }
        swapents = image.swapents();
        nrPtes = image.nrPtes();
        nrPmds = image.nrPmds();
        totalVmPages = image.totalVmPages();
        shmemPages = image.shmemPages();
        oomSkip = image.oomSkip();
    }

    /** Drops every counter and holding after the pages went back to the buddy lists. */
    public void release() {
        java.util.Arrays.fill(anonPages, 0);
        java.util.Arrays.fill(filePages, 0);
        swapents = 0;
        nrPtes = 0;
        nrPmds = 0;
        totalVmPages = 0;
        shmemPages = 0;
        holdings.clear();
    }
}
