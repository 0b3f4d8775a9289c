package dev.oomsim.kernel.mm;

import static dev.oomsim.kernel.mm.AllocFlags.ALLOC_CPUSET;
import static dev.oomsim.kernel.mm.AllocFlags.ALLOC_HARDER;
import static dev.oomsim.kernel.mm.AllocFlags.ALLOC_HIGH;
import static dev.oomsim.kernel.mm.AllocFlags.ALLOC_NO_WATERMARKS;
import static dev.oomsim.kernel.mm.AllocFlags.ALLOC_OOM;
import static dev.oomsim.kernel.mm.AllocFlags.ALLOC_WMARK_HIGH;
import static dev.oomsim.kernel.mm.AllocFlags.ALLOC_WMARK_LOW;
import static dev.oomsim.kernel.mm.AllocFlags.ALLOC_WMARK_MIN;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.oomsim.kernel.KernelLog;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.oom.OomControl;
import dev.oomsim.kernel.oom.OomKiller;
import dev.oomsim.kernel.oom.OomLockToken;
import dev.oomsim.kernel.oom.OomOutcome;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.task.Mempolicy;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;

/**
 * The page allocator of mm/page_alloc.c: the zonelist walk, the watermark check, the buddy take, the fast path, the
 * slow path (v4.4 for {@link Profile#SEED}, v6.1 for {@link Profile#MODERN}) and {@code __alloc_pages_may_oom}.
 * Stateless apart from the {@link Machine} it works on; runs on the machine's owner thread.
 */
public final class PageAllocator {
    /** {@code PAGE_ALLOC_COSTLY_ORDER}. */
    public static final int PAGE_ALLOC_COSTLY_ORDER = 3;
    /** {@code pageblock_nr_pages}. */
    public static final long PAGEBLOCK_NR_PAGES = 512;
    /** {@code MAX_RECLAIM_RETRIES} (modern). */
    public static final int MAX_RECLAIM_RETRIES = 16;
    /** {@code MAX_COMPACT_RETRIES} (modern). */
    public static final int MAX_COMPACT_RETRIES = 16;

    private final Machine m;
    private final OomKiller oomKiller;
    private final CpusetRule cpuset;

    /** An allocator over {@code machine}, calling {@code oomKiller} from mayOom. */
    public PageAllocator(Machine machine, OomKiller oomKiller) {
        this.m = machine;
        this.oomKiller = oomKiller;
        this.cpuset = new CpusetRule(machine);
    }

    // ---------------------------------------------------------------- free-page machinery (docs/kernel-model.md §7)

    /**
     * Steps 1–5 of {@code __zone_watermark_ok}, mm/page_alloc.c (docs/kernel-model.md §7): true when {@code freePages}
     * less the request and (unless HARDER) the highatomic reserve stays above the relieved mark plus
     * {@code lowmemReserve}. Signed arithmetic; {@code <=} fails.
     */
    static boolean watermarkAboveReserve(long freePages, int order, long mark, long lowmemReserve,
            long reservedHighatomicPages, int allocFlags, Profile profile) {
        long min = mark;
        long free = freePages - ((1L << order) - 1);
        if ((allocFlags & ALLOC_HIGH) != 0) {
            min -= min / 2;
        }
        boolean harder = profile == Profile.SEED ? (allocFlags & ALLOC_HARDER) != 0
                : (allocFlags & (ALLOC_HARDER | ALLOC_OOM)) != 0;
        if (!harder) {
            free -= reservedHighatomicPages;
        } else if (profile == Profile.MODERN && (allocFlags & ALLOC_OOM) != 0) {
            min -= min / 2;
        } else {
            min -= min / 4;
        }
        return free > min + lowmemReserve;
    }

    /**
     * Mirrors {@code __zone_watermark_ok}, mm/page_alloc.c, on a zone snapshot and a given free count (signed
     * arithmetic, {@code <=} fails).
     */
    public static boolean zoneWatermarkOk(ZoneSnapshot z, int order, long mark, int classzoneIdx, int allocFlags,
            long freePages, Profile profile) {
        if (!watermarkAboveReserve(freePages, order, mark, z.lowmemReserve(classzoneIdx), z.reservedHighatomicPages(),
                allocFlags, profile)) {
            return false;
        }
        if (order == 0) {
            return true;
        }
        for (int o = order; o < Zone.MAX_ORDER; o++) {
            if (z.nrFree(o) > 0) {
                return true;
            }
        }
        return false;
    }

    /** Mirrors {@code __cpuset_node_allowed}, kernel/cpuset.c: the {@link CpusetRule} the OOM killer applies too. */
    public boolean cpusetNodeAllowed(int node, GfpFlags gfp, Task t) {
        return cpuset.nodeAllowed(node, gfp, t);
    }

    /** True when a zonelist entry passes the walk's filter: at most {@code highZoneidx}, inside the nodemask. */
    static boolean eligible(ZoneRef ref, int highZoneidx, NodeMask nodemask) {
        return ref.zoneIdx() <= highZoneidx && (nodemask == null || nodemask.contains(ref.nodeId()));
    }

    /**
     * The per-zone step of {@code get_page_from_freelist}: the cpuset rule (with ALLOC_CPUSET), then the zone's node
     * does the watermark check (unless ALLOC_NO_WATERMARKS) and the buddy take ({@link NodeMemory#zoneStep}). Returns
     * the page or null. This is the unit a node's agent runs for a walk handed to it.
     */
    public Page zoneStep(ZoneRef ref, GfpFlags gfp, int order, int allocFlags, int classzoneIdx, Task current) {
        if ((allocFlags & ALLOC_CPUSET) != 0 && !cpusetNodeAllowed(ref.nodeId(), gfp, current)) {
            return null;
        }
        return m.memory(ref.nodeId()).zoneStep(ref.zoneIdx(), order, allocFlags, classzoneIdx);
    }

    /** Result of a walk: the page (or null) and the zonelist position after the last zone tried. */
    public record WalkResult(Page page, int position) {
    }

    /** Mirrors {@code get_page_from_freelist}, resumable from a zonelist position. */
    public WalkResult getPageFromFreelist(GfpFlags gfp, int order, int allocFlags, AllocContext ac, Task current,
            int fromPosition) {
        int reserveIdx = m.profile().reserveByHighestZoneidx() ? ac.highZoneidx : ac.classzoneIdx;
        for (int pos = fromPosition; pos < ac.zonelist.size(); pos++) {
            ZoneRef ref = ac.zonelist.get(pos);
            if (!eligible(ref, ac.highZoneidx, ac.nodemask)) {
                continue;
            }
            Page page = zoneStep(ref, gfp, order, allocFlags, reserveIdx, current);
            if (page != null) {
                return new WalkResult(page, pos + 1);
            }
        }
        return new WalkResult(null, ac.zonelist.size());
    }

    /** Mirrors {@code get_page_from_freelist} from the start of the list. */
    public Page getPageFromFreelist(GfpFlags gfp, int order, int allocFlags, AllocContext ac, Task current) {
        return getPageFromFreelist(gfp, order, allocFlags, ac, current, 0).page();
    }

    // ---------------------------------------------------------------- allocation context

    /** Mirrors {@code node_zonelist}: the THISNODE list for a THISNODE request, else the fallback list. */
    public Zonelist nodeZonelist(int node, GfpFlags gfp) {
        NumaNode n = m.node(node);
        return gfp.has(GfpFlags.THISNODE) ? n.thisNodeZonelist() : n.fallbackZonelist();
    }

    /**
     * Mirrors {@code first_zones_zonelist}: sets the preferred zone and {@code classzone_idx} from the first entry
     * passing the filter; returns false when there is none.
     */
    boolean firstZones(AllocContext ac, NodeMask filter) {
        for (ZoneRef ref : ac.zonelist.zones()) {
            if (eligible(ref, ac.highZoneidx, filter)) {
                ac.preferredZone = ref;
                ac.classzoneIdx = ref.zoneIdx();
                return true;
            }
        }
        ac.preferredZone = null;
        return false;
    }

    /** Mirrors {@code policy_zone} with {@code apply_policy_zone}: the lowest zone a bind nodemask applies to. */
    int policyZone(NodeMask bound) {
        Arch arch = m.arch();
        int movable = arch.zoneIndex(ZoneType.MOVABLE);
        boolean boundHasNonMovable = false;
        int policyZone = 0;
        for (NumaNode n : m.nodes()) {
            for (int zi = 0; zi < n.nrZones(); zi++) {
                if (zi != movable && n.zone(zi).populated()) {
                    policyZone = Math.max(policyZone, zi);
                    if (bound.contains(n.id())) {
                        boundHasNonMovable = true;
                    }
                }
            }
        }
        return boundHasNonMovable ? policyZone : movable;
    }

    /**
     * Mirrors {@code alloc_pages_current} with {@code policy_zonelist} and {@code policy_nodemask} (mm/mempolicy.c):
     * builds the alloc context of a request.
     */
    public AllocContext prepareContext(AllocRequest req, GfpFlags gfp, Task current) {
        int highZoneidx = req.gfp().gfpZoneIndex(m.arch());
        int localNode = req.node() >= 0 ? req.node() : current.cpuset().mems().first();
        m.node(localNode);
        Mempolicy pol = gfp.has(GfpFlags.THISNODE) ? Mempolicy.DEFAULT : current.mempolicy();
        Zonelist zonelist;
        NodeMask nodemask = null;
        switch (pol.mode()) {
            case INTERLEAVE -> zonelist = nodeZonelist(current.nextInterleaveNode(), gfp);
            case PREFERRED -> zonelist = nodeZonelist(pol.preferredNode(), gfp);
            case BIND -> {
                zonelist = nodeZonelist(localNode, gfp);
                if (highZoneidx >= policyZone(pol.nodes()) && pol.nodes().intersects(current.cpuset().mems())) {
                    nodemask = pol.nodes();
                }
            }
            default -> zonelist = nodeZonelist(localNode, gfp);
        }
        return new AllocContext(zonelist, nodemask, highZoneidx, localNode);
    }

    // ---------------------------------------------------------------- entry (docs/kernel-model.md §8)

    /** Mirrors {@code __alloc_pages_nodemask} (v4.4) / {@code __alloc_pages} (v6.1): fast path, then the slow path. */
    public AllocResult allocPages(AllocRequest req) {
        Task current = requester(req.pid());
        GfpFlags gfp = req.gfp();
        gfp.gfpZone(m.arch());
        if (m.suspendedStorage()) {
            gfp = gfp.without(GfpFlags.IO).without(GfpFlags.FS);
        }
        AllocContext ac = prepareContext(req, gfp, current);
        if (m.profile() == Profile.MODERN && req.order() >= Zone.MAX_ORDER) {
            return finish(new SlowPathState(req, gfp, ac, new KernelLog()), current);
        }
        if (!firstZones(ac, ac.nodemask != null ? ac.nodemask : current.cpuset().mems())) {
            return finish(new SlowPathState(req, gfp, ac, new KernelLog()), current);
        }
        Page page;
        if (m.profile() == Profile.SEED) {
            page = getPageFromFreelist(gfp.with(GfpFlags.HARDWALL), req.order(), ALLOC_WMARK_LOW | ALLOC_CPUSET, ac,
                    current);
        } else {
            page = fastPathModern(gfp, req.order(), ac, current);
        }
        if (page != null) {
            // The fast path logs nothing and leaves no slow-path state: its trace is the page and "fastpath:ok".
            m.chargeAllocation(current, page);
            return new AllocResult.Allocated(page, AllocTrace.fastPathOk(page));
        }
        SlowPathState st = new SlowPathState(req, gfp, ac, new KernelLog());
        st.path.add("fastpath:fail");
        slowPath(st, current);
        return finish(st, current);
    }

    /** Mirrors {@code __alloc_pages_slowpath}: the profile's version, driven by the explicit {@link SlowPathState}. */
    public void slowPath(SlowPathState st, Task current) {
        if (m.profile() == Profile.SEED) {
            slowPathSeed(st, current);
        } else {
            slowPathModern(st, current);
        }
    }

    private Page fastPathModern(GfpFlags gfp, int order, AllocContext ac, Task current) {
        GfpFlags alloc = gfp;
        int flags = ALLOC_WMARK_LOW;
        NodeMask saved = ac.nodemask;
        if (m.tasks().cpusetsEnabled()) {
            alloc = alloc.with(GfpFlags.HARDWALL);
            if (ac.nodemask == null) {
                ac.nodemask = current.cpuset().mems();
            } else {
                flags |= ALLOC_CPUSET;
            }
        }
        Page page = getPageFromFreelist(alloc, order, flags, ac, current);
        ac.nodemask = saved;
        return page;
    }

    private AllocResult finish(SlowPathState st, Task current) {
        if (st.page != null) {
            m.chargeAllocation(current, st.page);
            return new AllocResult.Allocated(st.page, st.toTrace());
        }
        return new AllocResult.Failed(st.toTrace());
    }

    private Task requester(int pid) {
        Task t = m.tasks().get(pid);
        if (t == null || !t.alive()) {
            throw new IllegalArgumentException("pid: no live task " + pid);
        }
        return t;
    }

    // ---------------------------------------------------------------- seed slow path (v4.4)

    /** Mirrors {@code gfp_to_alloc_flags} (v4.4). No interrupt context and no real-time tasks in the model. */
    int gfpToAllocFlags(GfpFlags gfp, Task current) {
        int flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
        if (gfp.has(GfpFlags.HIGH)) {
            flags |= ALLOC_HIGH;
        }
        if (gfp.has(GfpFlags.ATOMIC)) {
            if (!gfp.has(GfpFlags.NOMEMALLOC)) {
                flags |= ALLOC_HARDER;
            }
            flags &= ~ALLOC_CPUSET;
        }
        if (!gfp.has(GfpFlags.NOMEMALLOC)) {
            if (gfp.has(GfpFlags.MEMALLOC) || current.has(TaskFlag.MEMALLOC) || current.has(TaskFlag.MEMDIE)) {
                flags |= ALLOC_NO_WATERMARKS;
            }
        }
        return flags;
    }

    /** Mirrors {@code __alloc_pages_slowpath} (v4.4), docs/kernel-model.md §8, every exit recorded in the path. */
    void slowPathSeed(SlowPathState st, Task current) {
        AllocContext ac = st.ac;
        int order = st.order;
        if (order >= Zone.MAX_ORDER) {
            return;
        }
        if (st.gfp.has(GfpFlags.ATOMIC) && st.gfp.has(GfpFlags.DIRECT_RECLAIM)) {
            st.gfp = st.gfp.without(GfpFlags.ATOMIC);
        }
        GfpFlags gfp = st.gfp;
        boolean canDirectReclaim = gfp.has(GfpFlags.DIRECT_RECLAIM);
        if (gfp.has(GfpFlags.THISNODE) && !canDirectReclaim) {
            nopage(st, current);
            return;
        }
        while (true) {
            if (gfp.has(GfpFlags.KSWAPD_RECLAIM)) {
                st.path.add("kswapd:wake");
            }
            int flags = gfpToAllocFlags(gfp, current);
            st.allocFlags = flags;
            if ((flags & ALLOC_CPUSET) == 0 && ac.nodemask == null) {
                firstZones(ac, null);
            }
            Page page = getPageFromFreelist(gfp, order, flags & ~ALLOC_NO_WATERMARKS, ac, current);
            if (page != null) {
                st.path.add("slowpath:min:ok");
                st.page = page;
                return;
            }
            st.path.add("slowpath:min:fail");
            if ((flags & ALLOC_NO_WATERMARKS) != 0) {
                ac.zonelist = nodeZonelist(ac.localNode, gfp);
                page = getPageFromFreelist(gfp, order, ALLOC_NO_WATERMARKS, ac, current);
                if (page != null) {
                    st.path.add("slowpath:nowmark:ok");
                    st.page = page;
                    return;
                }
                st.path.add("slowpath:nowmark:fail");
                if (gfp.has(GfpFlags.NOFAIL)) {
                    return;
                }
            }
            if (!canDirectReclaim) {
                nopage(st, current);
                return;
            }
            if (current.has(TaskFlag.MEMALLOC)) {
                if (gfp.has(GfpFlags.NOFAIL)) {
                    if (!retry(st, current)) {
                        return;
                    }
                    continue;
                }
                nopage(st, current);
                return;
            }
            if (current.has(TaskFlag.MEMDIE) && !gfp.has(GfpFlags.NOFAIL)) {
                nopage(st, current);
                return;
            }
            if (directCompact(st, current, flags)) {
                return;
            }
            long progress = directReclaim(st, current, flags);
            if (st.page != null) {
                return;
            }
            if (gfp.has(GfpFlags.NORETRY)) {
                noretry(st, current, flags);
                return;
            }
            st.pagesReclaimed += progress;
            if ((progress > 0 && order <= PAGE_ALLOC_COSTLY_ORDER)
                    || (gfp.has(GfpFlags.REPEAT) && st.pagesReclaimed < (1L << order))) {
                if (!retry(st, current)) {
                    return;
                }
                continue;
            }
            MayOomResult r = mayOom(st, current);
            if (r.page() != null) {
                st.page = r.page();
                return;
            }
            if (st.panic != null) {
                return;
            }
            if (r.didSomeProgress() == 1) {
                if (!retry(st, current)) {
                    return;
                }
                continue;
            }
            noretry(st, current, flags);
            return;
        }
    }

    private void noretry(SlowPathState st, Task current, int flags) {
        st.path.add("noretry");
        if (directCompact(st, current, flags)) {
            return;
        }
        nopage(st, current);
    }

    /** v4.4 strips ALLOC_NO_WATERMARKS from the walks after compaction and reclaim; v6.1 passes alloc_flags as is. */
    private int reserveMask() {
        return m.profile() == Profile.SEED ? ~ALLOC_NO_WATERMARKS : ~0;
    }

    /** Records a retry; victims exit first when configured. Returns false when the retry budget is spent. */
    private boolean retry(SlowPathState st, Task current) {
        if (st.retries >= m.maxRetries()) {
            return false;
        }
        st.retries++;
        st.path.add("retry");
        if (m.exitVictimsBeforeRetry()) {
            m.exitKilledTasks(current);
        }
        return true;
    }

    /** Mirrors {@code __alloc_pages_direct_compact}: order 0 skips it; success walks the lists again. */
    private boolean directCompact(SlowPathState st, Task current, int flags) {
        if (st.order == 0) {
            return false;
        }
        CompactionModel.CompactResult r = m.compactionModel().compact(reclaimZones(st.ac, current), st.order, st.gfp);
        st.lastCompactResult = r;
        if (r == CompactionModel.CompactResult.COMPACT_SUCCESS) {
            Page page = getPageFromFreelist(st.gfp, st.order, flags & reserveMask(), st.ac, current);
            if (page != null) {
                st.path.add("compact:ok");
                st.page = page;
                return true;
            }
        }
        st.path.add("compact:fail");
        return false;
    }

    /** Zones direct reclaim may scan: the list up to high_zoneidx, inside the nodemask, cpuset-allowed as HARDWALL. */
    List<ZoneRef> reclaimZones(AllocContext ac, Task current) {
        List<ZoneRef> out = new ArrayList<>();
        GfpFlags wall = GfpFlags.GFP_KERNEL.with(GfpFlags.HARDWALL);
        for (ZoneRef ref : ac.zonelist.zones()) {
            if (eligible(ref, ac.highZoneidx, ac.nodemask) && cpusetNodeAllowed(ref.nodeId(), wall, current)) {
                out.add(ref);
            }
        }
        return out;
    }

    /** Mirrors {@code __alloc_pages_direct_reclaim}: reclaim, then (on progress) walk, unreserve highatomic, walk. */
    private long directReclaim(SlowPathState st, Task current, int flags) {
        long progress = m.reclaimModel().tryToFreePages(m, reclaimZones(st.ac, current), st.order, st.gfp);
        st.reclaimPasses++;
        st.path.add("reclaim:" + progress);
        if (progress == 0) {
            return 0;
        }
        Page page = getPageFromFreelist(st.gfp, st.order, flags & reserveMask(), st.ac, current);
        if (page == null) {
            unreserveHighatomicPageblock(st.ac, false);
            page = getPageFromFreelist(st.gfp, st.order, flags & reserveMask(), st.ac, current);
        }
        st.page = page;
        return progress;
    }

    /** Mirrors {@code unreserve_highatomic_pageblock}: gives one pageblock of one zone's reserve back. */
    boolean unreserveHighatomicPageblock(AllocContext ac, boolean force) {
        for (ZoneRef ref : ac.zonelist.zones()) {
            if (!eligible(ref, ac.highZoneidx, ac.nodemask)) {
                continue;
            }
            if (m.memory(ref.nodeId()).unreserveHighatomicPageblock(ref.zoneIdx(), force)) {
                return true;
            }
        }
        return false;
    }

    /** The {@code nopage} label: the allocation-failure warning (unless NOWARN, rate-limited). */
    private void nopage(SlowPathState st, Task current) {
        st.path.add("nopage");
        warnAllocFailed(st, current);
    }

    /** Mirrors {@code warn_alloc_failed} (v4.4) / {@code warn_alloc} (v6.1). */
    void warnAllocFailed(SlowPathState st, Task current) {
        if (st.gfp.has(GfpFlags.NOWARN) || !m.nopageRatelimit().allow(m.nowMs())) {
            return;
        }
        if (m.profile() == Profile.SEED) {
            st.log.print(current.comm() + ": page allocation failure: order:" + st.order + ", mode:"
                    + st.gfp.hex(Profile.SEED));
        } else {
            st.log.print(current.comm() + ": page allocation failure: order:" + st.order + ", mode:"
                    + st.gfp.headerText(Profile.MODERN) + ", nodemask="
                    + (st.ac.nodemask == null ? "(null)" : st.ac.nodemask.rangeList()) + ",cpuset="
                    + current.cpuset().cgroupName() + ",mems_allowed=" + current.cpuset().mems().rangeList());
        }
    }

    // ---------------------------------------------------------------- may_oom (docs/kernel-model.md §9, §13)

    /**
     * The second public entry point: {@code __alloc_pages_may_oom} on its own, for a request as it stands between
     * reclaim and the OOM step (gfp taken as given: no {@code gfp_allowed_mask} step).
     */
    public MayOomResult mayOom(AllocRequest req, KernelLog log, List<String> path) {
        Task current = requester(req.pid());
        GfpFlags gfp = req.gfp();
        AllocContext ac = prepareContext(req, gfp, current);
        firstZones(ac, ac.nodemask != null ? ac.nodemask : current.cpuset().mems());
        SlowPathState st = new SlowPathState(req, gfp, ac, log);
        MayOomResult r = mayOom(st, current);
        path.addAll(st.path);
        if (r.page() != null) {
            m.chargeAllocation(current, r.page());
        }
        lastMayOomState = st;
        return r;
    }

    private SlowPathState lastMayOomState;

    /** The state of the last direct {@link #mayOom(AllocRequest, KernelLog, List)} call (its oom calls, panic). */
    public AllocTrace lastMayOomTrace() {
        return lastMayOomState == null ? null : lastMayOomState.toTrace();
    }

    /** Mirrors {@code __alloc_pages_may_oom}, mm/page_alloc.c, row by row (docs/kernel-model.md §9; modern §13). */
    MayOomResult mayOom(SlowPathState st, Task current) {
        st.mayOomCalls++;
        MayOomResult r = mayOomRows(st, current);
        st.lastDidSomeProgress = r.didSomeProgress();
        st.path.add(r.step());
        return r;
    }

    private MayOomResult mayOomRows(SlowPathState st, Task current) {
        GfpFlags gfp = st.gfp;
        int order = st.order;
        AllocContext ac = st.ac;
        Profile profile = m.profile();
        Optional<OomLockToken> token = m.oomLock().tryLock();
        if (token.isEmpty()) {
            return new MayOomResult(null, 1, "may_oom:trylock-fail", null);
        }
        try {
            GfpFlags high = gfp.with(GfpFlags.HARDWALL);
            if (profile == Profile.MODERN) {
                high = high.without(GfpFlags.DIRECT_RECLAIM);
            }
            Page page = getPageFromFreelist(high, order, ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac, current);
            if (page != null) {
                return new MayOomResult(page, 0, "may_oom:highwmark-ok", null);
            }
            String skip = profile == Profile.SEED ? seedFilter(st, current) : modernFilter(st, current);
            if (skip != null) {
                int progress = skip.equals("may_oom:skip:nofs") ? 1 : 0;
                return new MayOomResult(null, progress, skip, null);
            }
            OomControl oc = new OomControl(ac.zonelist, ac.nodemask, gfp, order, null);
            OomOutcome outcome = oomKiller.outOfMemory(oc, current, st.log);
            st.oomCalls.add(outcome);
            if (outcome.panic() != null) {
                st.panic = outcome.panic();
                return new MayOomResult(null, 0, "may_oom:oom", outcome);
            }
            int progress = 0;
            if (outcome.returned() || gfp.has(GfpFlags.NOFAIL)) {
                progress = 1;
                if (profile == Profile.MODERN && gfp.has(GfpFlags.NOFAIL)) {
                    page = cpusetFallback(gfp, order, ALLOC_NO_WATERMARKS, ac, current);
                }
            }
            return new MayOomResult(page, progress, "may_oom:oom", outcome);
        } finally {
            m.oomLock().unlock(token.get());
        }
    }

    private String seedFilter(SlowPathState st, Task current) {
        GfpFlags gfp = st.gfp;
        if (gfp.has(GfpFlags.NOFAIL)) {
            return null;
        }
        if (current.has(TaskFlag.DUMPCORE)) {
            return "may_oom:skip:dumpcore";
        }
        if (st.order > PAGE_ALLOC_COSTLY_ORDER) {
            return "may_oom:skip:costly";
        }
        if (st.ac.highZoneidx < m.arch().normalIndex()) {
            return "may_oom:skip:lowmem";
        }
        if (!gfp.has(GfpFlags.FS)) {
            return "may_oom:skip:nofs";
        }
        if (m.suspendedStorage()) {
            return "may_oom:skip:suspended";
        }
        if (gfp.has(GfpFlags.THISNODE)) {
            return "may_oom:skip:thisnode";
        }
        return null;
    }

    private String modernFilter(SlowPathState st, Task current) {
        GfpFlags gfp = st.gfp;
        if (current.has(TaskFlag.DUMPCORE)) {
            return "may_oom:skip:dumpcore";
        }
        if (st.order > PAGE_ALLOC_COSTLY_ORDER) {
            return "may_oom:skip:costly";
        }
        if (gfp.has(GfpFlags.THISNODE)) {
            return "may_oom:skip:thisnode";
        }
        if (gfp.has(GfpFlags.RETRY_MAYFAIL)) {
            return "may_oom:skip:retry_mayfail";
        }
        if (st.ac.highZoneidx < m.arch().normalIndex()) {
            return "may_oom:skip:lowmem";
        }
        if (m.suspendedStorage()) {
            return "may_oom:skip:suspended";
        }
        return null;
    }

    /** Mirrors {@code __alloc_pages_cpuset_fallback} (v6.1). */
    private Page cpusetFallback(GfpFlags gfp, int order, int flags, AllocContext ac, Task current) {
        Page page = getPageFromFreelist(gfp, order, flags | ALLOC_CPUSET, ac, current);
        if (page == null) {
            page = getPageFromFreelist(gfp, order, flags, ac, current);
        }
        return page;
    }

    // ---------------------------------------------------------------- modern slow path (v6.1)

    /** Mirrors {@code gfp_to_alloc_flags} (v6.1); ALLOC_KSWAPD is read from the gfp directly. */
    int gfpToAllocFlagsModern(GfpFlags gfp) {
        int flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
        if (gfp.has(GfpFlags.HIGH)) {
            flags |= ALLOC_HIGH;
        }
        if (gfp.has(GfpFlags.ATOMIC)) {
            if (!gfp.has(GfpFlags.NOMEMALLOC)) {
                flags |= ALLOC_HARDER;
            }
            flags &= ~ALLOC_CPUSET;
        }
        return flags;
    }

    /** Mirrors {@code __gfp_pfmemalloc_flags} (v6.1): reserve access for MEMALLOC, PF_MEMALLOC and OOM victims. */
    int pfmemallocFlags(GfpFlags gfp, Task current) {
        if (gfp.has(GfpFlags.NOMEMALLOC)) {
            return 0;
        }
        if (gfp.has(GfpFlags.MEMALLOC) || current.has(TaskFlag.MEMALLOC)) {
            return ALLOC_NO_WATERMARKS;
        }
        if (current.has(TaskFlag.MEMDIE)) {
            return ALLOC_OOM;
        }
        return 0;
    }

    /** Mirrors {@code __alloc_pages_slowpath} (v6.1), docs/kernel-model.md §13. */
    void slowPathModern(SlowPathState st, Task current) {
        AllocContext ac = st.ac;
        int order = st.order;
        boolean costly = order > PAGE_ALLOC_COSTLY_ORDER;
        if (st.gfp.has(GfpFlags.ATOMIC) && st.gfp.has(GfpFlags.DIRECT_RECLAIM)) {
            st.gfp = st.gfp.without(GfpFlags.ATOMIC);
        }
        GfpFlags gfp = st.gfp;
        boolean canDirectReclaim = gfp.has(GfpFlags.DIRECT_RECLAIM);
        int flags = gfpToAllocFlagsModern(gfp);
        st.allocFlags = flags;
        if (!firstZones(ac, ac.nodemask)) {
            nopageModern(st, current);
            return;
        }
        if (gfp.has(GfpFlags.KSWAPD_RECLAIM)) {
            st.path.add("kswapd:wake");
        }
        Page page = getPageFromFreelist(gfp, order, flags, ac, current);
        if (page != null) {
            st.path.add("slowpath:min:ok");
            st.page = page;
            return;
        }
        st.path.add("slowpath:min:fail");
        if (canDirectReclaim && (costly || (order > 0 && !gfp.has(GfpFlags.MOVABLE)))
                && pfmemallocFlags(gfp, current) == 0) {
            if (directCompact(st, current, flags)) {
                return;
            }
            if (costly && gfp.has(GfpFlags.NORETRY)
                    && st.lastCompactResult == CompactionModel.CompactResult.COMPACT_SKIPPED) {
                nopageModern(st, current);
                return;
            }
        }
        int compactionRetries = 0;
        while (true) {
            if (gfp.has(GfpFlags.KSWAPD_RECLAIM)) {
                st.path.add("kswapd:wake");
            }
            int reserve = pfmemallocFlags(gfp, current);
            if (reserve != 0) {
                flags = reserve;
            }
            st.allocFlags = flags;
            if ((flags & ALLOC_CPUSET) == 0 || reserve != 0) {
                ac.nodemask = null;
                firstZones(ac, null);
            }
            page = getPageFromFreelist(gfp, order, flags, ac, current);
            String label = (flags & ALLOC_NO_WATERMARKS) != 0 ? "slowpath:nowmark:" : "slowpath:min:";
            if (page != null) {
                st.path.add(label + "ok");
                st.page = page;
                return;
            }
            st.path.add(label + "fail");
            if (!canDirectReclaim || current.has(TaskFlag.MEMALLOC)) {
                if (nopageModern(st, current)) {
                    continue;
                }
                return;
            }
            long progress = directReclaim(st, current, flags);
            if (st.page != null) {
                return;
            }
            if (directCompact(st, current, flags)) {
                return;
            }
            if (gfp.has(GfpFlags.NORETRY) || (costly && !gfp.has(GfpFlags.RETRY_MAYFAIL))) {
                if (nopageModern(st, current)) {
                    continue;
                }
                return;
            }
            if (shouldReclaimRetry(st, progress > 0, flags)) {
                if (!retry(st, current)) {
                    return;
                }
                continue;
            }
            if (progress > 0 && order > 0) {
                CompactionModel.CompactResult r = st.lastCompactResult;
                boolean again = false;
                if (r == CompactionModel.CompactResult.COMPACT_SUCCESS) {
                    compactionRetries++;
                    again = compactionRetries <= (costly ? MAX_COMPACT_RETRIES / 4 : MAX_COMPACT_RETRIES);
                } else {
                    int minPriority = costly ? 1 : 0;
                    if (st.compactPriority > minPriority) {
                        st.compactPriority--;
                        compactionRetries = 0;
                        again = true;
                    }
                }
                if (again) {
                    if (!retry(st, current)) {
                        return;
                    }
                    continue;
                }
            }
            MayOomResult r = mayOom(st, current);
            if (r.page() != null) {
                st.page = r.page();
                return;
            }
            if (st.panic != null) {
                return;
            }
            if (current.has(TaskFlag.MEMDIE) && ((flags & ALLOC_OOM) != 0 || gfp.has(GfpFlags.NOMEMALLOC))) {
                if (nopageModern(st, current)) {
                    continue;
                }
                return;
            }
            if (r.didSomeProgress() == 1) {
                st.noProgressLoops = 0;
                if (!retry(st, current)) {
                    return;
                }
                continue;
            }
            if (nopageModern(st, current)) {
                continue;
            }
            return;
        }
    }

    /** The v6.1 {@code nopage} label: NOFAIL retries through the cpuset fallback; returns true to go on retrying. */
    private boolean nopageModern(SlowPathState st, Task current) {
        if (st.gfp.has(GfpFlags.NOFAIL) && st.gfp.has(GfpFlags.DIRECT_RECLAIM)) {
            Page page = cpusetFallback(st.gfp, st.order, ALLOC_HARDER, st.ac, current);
            if (page != null) {
                st.path.add("slowpath:nowmark:ok");
                st.page = page;
                return false;
            }
            return retry(st, current);
        }
        nopage(st, current);
        return false;
    }

    /**
     * Mirrors {@code should_reclaim_retry} (docs/kernel-model.md §13): resets or counts {@code no_progress_loops}; past
     * MAX_RECLAIM_RETRIES gives up (after trying to unreserve highatomic); otherwise retries while some zone would pass
     * its min watermark with free + reclaimable pages, undiscounted (v4.12 removed the loops/16 back-off; v6.1 has
     * none).
     */
    boolean shouldReclaimRetry(SlowPathState st, boolean didSomeProgress, int allocFlags) {
        if (didSomeProgress && st.order <= PAGE_ALLOC_COSTLY_ORDER) {
            st.noProgressLoops = 0;
        } else {
            st.noProgressLoops++;
        }
        if (st.noProgressLoops > MAX_RECLAIM_RETRIES) {
            return unreserveHighatomicPageblock(st.ac, true);
        }
        for (ZoneRef ref : st.ac.zonelist.zones()) {
            if (!eligible(ref, st.ac.highZoneidx, st.ac.nodemask)) {
                continue;
            }
            ZoneSnapshot z = m.memory(ref.nodeId()).zoneSnapshot(ref.zoneIdx());
            long available = z.reclaimablePages() + z.freePages();
            if (zoneWatermarkOk(z, st.order, z.watermarks().minPages(), st.ac.highZoneidx, allocFlags, available,
                    Profile.MODERN)) {
                return true;
            }
        }
        return unreserveHighatomicPageblock(st.ac, true);
    }
}
