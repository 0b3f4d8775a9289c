package dev.oomsim.kernel.mm;

import static dev.oomsim.kernel.mm.AllocFlags.ALLOC_NO_WATERMARKS;
import static dev.oomsim.kernel.mm.AllocFlags.ALLOC_WMARK_MASK;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.oomsim.kernel.image.HoldingImage;
import dev.oomsim.kernel.image.KernelHoldingImage;
import dev.oomsim.kernel.image.MmNodeImage;
import dev.oomsim.kernel.image.NodeImage;
import dev.oomsim.kernel.image.ZoneImage;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;

/**
 * {@link NodeMemory} over the node's own {@link Zone}s, in-process: the only runtime code that touches a zone's
 * mutable state and the per-node holdings of an {@link Mm}. It also keeps the kernel (mm-less) blocks tasks hold on
 * this node. Mutable; owned by the thread that owns the node (the scenario runner, later the node's agent).
 */
public final class LocalNodeMemory implements NodeMemory {
    private final NumaNode node;
    private final Arch arch;
    private final Profile profile;
    private final Map<Integer, List<Page>> kernelHoldings = new LinkedHashMap<>();

    /** The memory of {@code node} under {@code profile}'s watermark rule. */
    public LocalNodeMemory(NumaNode node, Arch arch, Profile profile) {
        this.node = node;
        this.arch = arch;
        this.profile = profile;
    }

    @Override
    public int nodeId() {
        return node.id();
    }

    /** Mirrors {@code zone_watermark_ok} on the zone's own free count. */
    private boolean zoneWatermarkOk(Zone z, int order, long mark, int reserveIdx, int allocFlags) {
        if (!PageAllocator.watermarkAboveReserve(z.freePages(), order, mark, z.lowmemReserve(reserveIdx),
                z.reservedHighatomicPages(), allocFlags, profile)) {
            return false;
        }
        if (order == 0) {
            return true;
        }
        for (int o = order; o < Zone.MAX_ORDER; o++) {
            if (z.freeArea(o).nrFree() > 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Page zoneStep(int zoneIdx, int order, int allocFlags, int reserveIdx) {
        Zone zone = node.zone(zoneIdx);
        long mark = zone.watermarks().mark(allocFlags & ALLOC_WMARK_MASK);
        if (!zoneWatermarkOk(zone, order, mark, reserveIdx, allocFlags)) {
            if ((allocFlags & ALLOC_NO_WATERMARKS) == 0) {
                return null;
            }
        }
        long pfn = zone.rmqueueSmallest(order);
        if (pfn < 0) {
            return null;
        }
        return new Page(node.id(), zone.type(), pfn, order);
    }

    @Override
    public ZoneSnapshot zoneSnapshot(int zoneIdx) {
        return ZoneSnapshot.of(node.zone(zoneIdx));
    }

    @Override
    public List<ZoneSnapshot> zoneSnapshots() {
        List<ZoneSnapshot> out = new ArrayList<>();
        for (int zi = 0; zi < node.nrZones(); zi++) {
            Zone z = node.zone(zi);
            if (z.populated()) {
                out.add(ZoneSnapshot.of(z));
            }
        }
        return out;
    }

    @Override
    public long reclaimZone(int zoneIdx, long maxPages) {
        Zone z = node.zone(zoneIdx);
        long want = Math.min(maxPages, z.reclaimablePages());
        long freed = z.reclaimReserved(want);
        z.setReclaimablePages(z.reclaimablePages() - freed);
        return freed;
    }

    @Override
    public boolean unreserveHighatomicPageblock(int zoneIdx, boolean force) {
        Zone z = node.zone(zoneIdx);
        long reserved = z.reservedHighatomicPages();
        if (reserved == 0 || (!force && reserved <= PageAllocator.PAGEBLOCK_NR_PAGES)) {
            return false;
        }
        z.setReservedHighatomicPages(reserved - Math.min(PageAllocator.PAGEBLOCK_NR_PAGES, reserved));
        return true;
    }

    @Override
    public void chargeAllocation(Task t, Page page) {
        if (page.nodeId() != node.id()) {
            throw new IllegalArgumentException("charge: page of node " + page.nodeId() + " sent to node " + node.id());
        }
        int zi = arch.zoneIndex(page.zone());
        if (t.mm() != null) {
            t.mm().holding(page.nodeId(), zi).blocks().put(page.pfn(), page.order());
            t.mm().addRss(page.nodeId(), 1L << page.order(), 0);
        } else {
            kernelHoldings.computeIfAbsent(t.pid(), k -> new ArrayList<>()).add(page);
        }
    }

    @Override
    public void freePages(Task t, long pfn, int order) {
        int nodeId = node.id();
        long size = 1L << order;
        Zone zone = null;
        for (int zi = 0; zi < node.nrZones(); zi++) {
            Zone z = node.zone(zi);
            if (z.populated() && pfn >= z.startPfn() && pfn + size <= z.endPfn()) {
                zone = z;
            }
        }
        if (zone == null || (pfn & (size - 1)) != 0) {
            throw new IllegalArgumentException("free: pfn " + pfn + " order " + order
                    + " is not an aligned block of node "
                    + nodeId);
        }
        if (t.mm() == null) {
            List<Page> held = kernelHoldings.getOrDefault(t.pid(), new ArrayList<>());
            if (!held.remove(new Page(nodeId, zone.type(), pfn, order))) {
                throw new IllegalArgumentException("free: pid " + t.pid() + " does not hold pfn " + pfn + " order "
                        + order);
            }
            zone.freeOneBlock(pfn, order);
            return;
        }
        // A plain lookup: a free never needs the holding created on demand (an absent one holds nothing).
        Mm.Holding h = t.mm().holdings().get(Mm.key(nodeId, zone.index()));
        if (h == null) {
            throw new IllegalArgumentException("free: pid " + t.pid() + " does not hold pfn " + pfn + " order "
                    + order);
        }
        Integer heldOrder = h.blocks().get(pfn);
        if (heldOrder != null && heldOrder == order) {
            h.blocks().remove(pfn);
            zone.freeOneBlock(pfn, order);
            t.mm().subRss(nodeId, size);
            return;
        }
        long first = zone.rankOf(pfn);
        long last = zone.rankOf(pfn + size - 1);
        if (first < 0 || last - first != size - 1) {
            throw new IllegalArgumentException("free: pid " + t.pid() + " does not hold pfn " + pfn + " order "
                    + order);
        }
        for (int i = 0; i < h.rankRanges().size(); i++) {
            long[] r = h.rankRanges().get(i);
            if (r[0] <= first && last < r[1]) {
                h.rankRanges().remove(i);
                if (r[0] < first) {
                    h.rankRanges().add(i++, new long[] {r[0], first});
                }
                if (last + 1 < r[1]) {
                    h.rankRanges().add(i, new long[] {last + 1, r[1]});
                }
                zone.freeOneBlock(pfn, order);
                t.mm().subRss(nodeId, size);
                return;
            }
        }
        throw new IllegalArgumentException("free: pid " + t.pid() + " does not hold pfn " + pfn + " order " + order);
    }

    @Override
    public void chargeRss(Mm mm, long pages) {
        mm.addRss(node.id(), pages, 0);
    }

    @Override
    public void loadTaskPages(Mm mm, int zoneIdx, long anonPages, long filePages) {
        long pages = anonPages + filePages;
        if (pages > 0) {
            long first = node.zone(zoneIdx).claimLoadPages(pages);
            mm.holding(node.id(), zoneIdx).rankRanges().add(new long[] {first, first + pages});
        }
        mm.addRss(node.id(), anonPages, filePages);
    }

    @Override
    public void releaseKernelPages(int pid) {
        List<Page> kernel = kernelHoldings.remove(pid);
        if (kernel != null) {
            for (Page p : kernel) {
                node.zone(arch.zoneIndex(p.zone())).freeOneBlock(p.pfn(), p.order());
            }
        }
    }

    @Override
    public void releaseMm(Mm mm) {
        Iterator<Map.Entry<Long, Mm.Holding>> it = mm.holdings().entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Mm.Holding> e = it.next();
            if (Mm.keyNode(e.getKey()) != node.id()) {
                continue;
            }
            Zone zone = node.zone(Mm.keyZone(e.getKey()));
            for (long[] r : e.getValue().rankRanges()) {
                zone.freeLoadRanks(r[0], r[1]);
            }
            for (Map.Entry<Long, Integer> b : e.getValue().blocks().entrySet()) {
                zone.freeOneBlock(b.getKey(), b.getValue());
            }
            it.remove();
        }
        mm.subRss(node.id(), mm.anonPages(node.id()) + mm.filePages(node.id()));
    }

    /**
     * Frees as many of the mm's pages here as it has anonymous pages, keeping as many as it has file pages: the blocks
     * it allocated at run time first (allocations are charged as anon), in zone then pfn order, then its boot-time
     * pages from the highest rank down (boot does not say which of a task's pages are anon, so the model picks).
     */
    @Override
    public void reapMm(Mm mm) {
        int nodeId = node.id();
        long held = 0;
        for (Map.Entry<Long, Mm.Holding> e : mm.holdings().entrySet()) {
            if (Mm.keyNode(e.getKey()) == nodeId) {
                for (int order : e.getValue().blocks().values()) {
                    held += 1L << order;
                }
                for (long[] r : e.getValue().rankRanges()) {
                    held += r[1] - r[0];
                }
            }
        }
        long remaining = Math.max(0, Math.min(mm.anonPages(nodeId), held - mm.filePages(nodeId)));
        for (Map.Entry<Long, Mm.Holding> e : mm.holdings().entrySet()) {
            if (Mm.keyNode(e.getKey()) != nodeId) {
                continue;
            }
            Zone zone = node.zone(Mm.keyZone(e.getKey()));
            Iterator<Map.Entry<Long, Integer>> blocks = e.getValue().blocks().entrySet().iterator();
            while (blocks.hasNext() && remaining > 0) {
                Map.Entry<Long, Integer> b = blocks.next();
                long size = 1L << b.getValue();
                if (size <= remaining) {
                    zone.freeOneBlock(b.getKey(), b.getValue());
                    blocks.remove();
                    remaining -= size;
                }
            }
        }
        for (Map.Entry<Long, Mm.Holding> e : mm.holdings().entrySet()) {
            if (Mm.keyNode(e.getKey()) != nodeId) {
                continue;
            }
            Zone zone = node.zone(Mm.keyZone(e.getKey()));
            List<long[]> ranges = e.getValue().rankRanges();
            for (int i = ranges.size() - 1; i >= 0 && remaining > 0; i--) {
                long[] r = ranges.get(i);
                long n = Math.min(remaining, r[1] - r[0]);
                zone.freeLoadRanks(r[1] - n, r[1]);
                remaining -= n;
                if (n == r[1] - r[0]) {
                    ranges.remove(i);
                } else {
                    ranges.set(i, new long[] {r[0], r[1] - n});
                }
            }
        }
        mm.setRss(nodeId, 0, mm.filePages(nodeId));
    }

    @Override
    public NodeImage captureImage(List<Mm> mms) {
        int nodeId = node.id();
        List<ZoneImage> zones = new ArrayList<>();
        for (int zi = 0; zi < node.nrZones(); zi++) {
            zones.add(node.zone(zi).captureImage());
        }
        List<MmNodeImage> mmImages = new ArrayList<>();
        for (Mm mm : mms) {
            List<HoldingImage> holdings = new ArrayList<>();
            for (Map.Entry<Long, Mm.Holding> e : mm.holdings().entrySet()) {
                if (Mm.keyNode(e.getKey()) != nodeId) {
                    continue;
                }
                List<HoldingImage.RankRange> ranges = new ArrayList<>();
                for (long[] r : e.getValue().rankRanges()) {
                    ranges.add(new HoldingImage.RankRange(r[0], r[1]));
                }
                List<HoldingImage.HeldBlock> blocks = new ArrayList<>();
                for (Map.Entry<Long, Integer> b : e.getValue().blocks().entrySet()) {
                    blocks.add(new HoldingImage.HeldBlock(b.getKey(), b.getValue()));
                }
                holdings.add(new HoldingImage(Mm.keyZone(e.getKey()), ranges, blocks));
            }
            mmImages.add(new MmNodeImage(mm.id(), mm.anonPages(nodeId), mm.filePages(nodeId), holdings));
        }
        List<KernelHoldingImage> kernel = new ArrayList<>();
        for (Map.Entry<Integer, List<Page>> e : kernelHoldings.entrySet()) {
            kernel.add(new KernelHoldingImage(e.getKey(), e.getValue()));
        }
        return new NodeImage(nodeId, zones, mmImages, kernel);
    }

    /**
     * Checks the whole image against this node first (node id, zone layout and free blocks, the mms, the zones named
     * by holdings and kernel holdings), so a misfit changes nothing; then rebuilds every zone, each mm's rss and
     * holdings on this node only (its holdings on other nodes stay as they are), and the kernel holdings.
     */
    @Override
    public void restoreImage(NodeImage image, List<Mm> mms) {
        int nodeId = node.id();
        if (image.nodeId() != nodeId || image.zones().size() != node.nrZones()) {
            throw new IllegalArgumentException("node " + nodeId + ": the image is of node " + image.nodeId() + " with "
                    + image.zones().size() + " zone slots, this node has " + node.nrZones());
        }
        for (int zi = 0; zi < node.nrZones(); zi++) {
            node.zone(zi).requireFits(image.zones().get(zi));
        }
        List<Integer> ids = new ArrayList<>();
        for (Mm mm : mms) {
            ids.add(mm.id());
        }
        List<Integer> imageIds = new ArrayList<>();
        for (MmNodeImage mi : image.mms()) {
            imageIds.add(mi.mmId());
            Set<Integer> zones = new HashSet<>();
            for (HoldingImage h : mi.holdings()) {
                if (h.zoneIdx() >= node.nrZones() || !zones.add(h.zoneIdx())) {
                    throw new IllegalArgumentException("node " + nodeId + ": mm " + mi.mmId()
                            + " has a holding in no zone or twice in zone " + h.zoneIdx());
                }
                Zone z = node.zone(h.zoneIdx());
                for (HoldingImage.HeldBlock b : h.blocks()) {
                    if (b.pfn() < z.startPfn() || b.pfn() + (1L << b.order()) > z.endPfn()) {
                        throw new IllegalArgumentException("node " + nodeId + ": mm " + mi.mmId() + " holds pfn "
                                + b.pfn() + " order " + b.order() + ", not a block of zone " + z.type());
                    }
                }
            }
        }
        if (!imageIds.equals(ids)) {
            throw new IllegalArgumentException("node " + nodeId + ": the image has mms " + imageIds
                    + ", the machine " + ids);
        }
        for (KernelHoldingImage k : image.kernelHoldings()) {
            for (Page p : k.pages()) {
                if (p.nodeId() != nodeId || arch.zoneIndex(p.zone()) < 0) {
                    throw new IllegalArgumentException("node " + nodeId + ": pid " + k.pid() + " holds " + p
                            + ", not a block of this node");
                }
            }
        }
        for (int zi = 0; zi < node.nrZones(); zi++) {
            node.zone(zi).restoreImage(image.zones().get(zi));
        }
        for (int i = 0; i < mms.size(); i++) {
            restoreMm(mms.get(i), image.mms().get(i));
        }
        kernelHoldings.clear();
        for (KernelHoldingImage k : image.kernelHoldings()) {
            kernelHoldings.put(k.pid(), new ArrayList<>(k.pages()));
        }
    }

    /** Replaces {@code mm}'s rss and holdings on this node (its holdings elsewhere keep their order). */
    private void restoreMm(Mm mm, MmNodeImage image) {
        int nodeId = node.id();
        mm.setRss(nodeId, image.anonPages(), image.filePages());
        mm.holdings().keySet().removeIf(key -> Mm.keyNode(key) == nodeId);
        for (HoldingImage h : image.holdings()) {
            Mm.Holding holding = mm.holding(nodeId, h.zoneIdx());
            for (HoldingImage.RankRange r : h.rankRanges()) {
                holding.rankRanges().add(new long[] {r.from(), r.to()});
            }
            for (HoldingImage.HeldBlock b : h.blocks()) {
                holding.blocks().put(b.pfn(), b.order());
            }
        }
    }

    @Override
    public long anonPages(Mm mm) {
        return mm.anonPages(node.id());
    }

    @Override
    public long filePages(Mm mm) {
        return mm.filePages(node.id());
    }
}
