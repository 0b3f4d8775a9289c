package dev.oomsim.kernel;

import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.mm.CompactionModel;
import dev.oomsim.kernel.mm.MachineAccess;
import dev.oomsim.kernel.mm.NodeMask;
import dev.oomsim.kernel.mm.NumaNode;
import dev.oomsim.kernel.mm.Page;
import dev.oomsim.kernel.mm.ReclaimModel;
import dev.oomsim.kernel.mm.Zone;
import dev.oomsim.kernel.oom.OomLock;
import dev.oomsim.kernel.oom.Ratelimit;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.sysctl.VmSysctl;
import dev.oomsim.kernel.task.Memcg;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.kernel.task.TaskTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The global state of kernel-model.md §3: nodes and zones, the task table, sysctls, swap, suspend state, the OOM lock,
 * the notifier, memcgs, and the pluggable reclaim and compaction models. Mutable; owned by the single thread that runs
 * the model (the scenario runner). The logical clock ({@link #setNowMs}) feeds the rate limits; -1 disables them.
 */
public final class Machine {
    private final Profile profile;
    private final Arch arch;
    private final List<NumaNode> nodes;
    private final TaskTable tasks;
    private VmSysctl sysctl;
    private final long totalSwapPages;
    private final boolean suspendedStorage;
    private final boolean oomKillerDisabled;
    private final OomLock oomLock;
    private final long oomNotifierFreesPages;
    private final Map<String, Memcg> memcgs = new LinkedHashMap<>();
    private final ReclaimModel reclaimModel;
    private final CompactionModel compactionModel;
    private final boolean exitVictimsBeforeRetry;
    private final int maxRetries;
    private final Map<Integer, List<Page>> kernelHoldings = new LinkedHashMap<>();
    private final Ratelimit oomReportRatelimit = Ratelimit.kernelDefault();
    private final Ratelimit nopageRatelimit = Ratelimit.kernelDefault();
    private long nowMs = -1;
    private boolean panicked;

    /** Assembles a machine; nodes must already carry watermarks and reserves (see {@code MachineBuilder}). */
    public Machine(Profile profile, Arch arch, List<NumaNode> nodes, TaskTable tasks, VmSysctl sysctl,
            long totalSwapPages, boolean suspendedStorage, boolean oomKillerDisabled, OomLock oomLock,
            long oomNotifierFreesPages, List<Memcg> memcgs, ReclaimModel reclaimModel, CompactionModel compactionModel,
            boolean exitVictimsBeforeRetry, int maxRetries) {
        if (totalSwapPages < 0) {
            throw new IllegalArgumentException("swap_pages: must be >= 0, got " + totalSwapPages);
        }
        if (oomNotifierFreesPages < 0) {
            throw new IllegalArgumentException("oom_notifier_frees: must be >= 0, got " + oomNotifierFreesPages);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("max_retries: must be >= 0, got " + maxRetries);
        }
        this.profile = profile;
        this.arch = arch;
        this.nodes = List.copyOf(nodes);
        this.tasks = tasks;
        this.sysctl = sysctl;
        this.totalSwapPages = totalSwapPages;
        this.suspendedStorage = suspendedStorage;
        this.oomKillerDisabled = oomKillerDisabled;
        this.oomLock = oomLock;
        this.oomNotifierFreesPages = oomNotifierFreesPages;
        for (Memcg m : memcgs) {
            this.memcgs.put(m.name(), m);
        }
        this.reclaimModel = reclaimModel;
        this.compactionModel = compactionModel;
        this.exitVictimsBeforeRetry = exitVictimsBeforeRetry;
        this.maxRetries = maxRetries;
    }

    public Profile profile() {
        return profile;
    }

    public Arch arch() {
        return arch;
    }

    public List<NumaNode> nodes() {
        return nodes;
    }

    /** Node by id. */
    public NumaNode node(int id) {
        if (id < 0 || id >= nodes.size()) {
            throw new IllegalArgumentException("node: no node " + id);
        }
        return nodes.get(id);
    }

    /** The zone at a zonelist entry. */
    public Zone zone(int nodeId, int zoneIdx) {
        return nodes.get(nodeId).zone(zoneIdx);
    }

    public TaskTable tasks() {
        return tasks;
    }

    public VmSysctl sysctl() {
        return sysctl;
    }

    /** Replaces the sysctls (a {@code set} of a sysctl at run time). */
    public void setSysctl(VmSysctl sysctl) {
        this.sysctl = sysctl;
    }

    /** Mirrors {@code totalram_pages}: Σ managed pages of every zone. */
    public long totalramPages() {
        long sum = 0;
        for (NumaNode n : nodes) {
            sum += n.managedPages();
        }
        return sum;
    }

    /** Mirrors {@code total_swap_pages}. */
    public long totalSwapPages() {
        return totalSwapPages;
    }

    /** Mirrors {@code pm_suspended_storage()}. */
    public boolean suspendedStorage() {
        return suspendedStorage;
    }

    /** Mirrors {@code oom_killer_disabled}. */
    public boolean oomKillerDisabled() {
        return oomKillerDisabled;
    }

    public OomLock oomLock() {
        return oomLock;
    }

    /** Pages the OOM notifier chain reports freed per call. */
    public long oomNotifierFreesPages() {
        return oomNotifierFreesPages;
    }

    /** Memcg by name, or null. */
    public Memcg memcg(String name) {
        return memcgs.get(name);
    }

    public ReclaimModel reclaimModel() {
        return reclaimModel;
    }

    public CompactionModel compactionModel() {
        return compactionModel;
    }

    /** Whether OOM victims exit before the allocating task's next retry. */
    public boolean exitVictimsBeforeRetry() {
        return exitVictimsBeforeRetry;
    }

    /** Slow-path retries allowed per allocation (the kernel loops forever). */
    public int maxRetries() {
        return maxRetries;
    }

    /** Mirrors {@code node_states[N_MEMORY]}. */
    public NodeMask memoryNodes() {
        List<Integer> ids = new ArrayList<>();
        for (NumaNode n : nodes) {
            if (n.hasMemory()) {
                ids.add(n.id());
            }
        }
        return NodeMask.of(ids);
    }

    /** The OOM report rate limit ({@code oom_rs}). */
    public Ratelimit oomReportRatelimit() {
        return oomReportRatelimit;
    }

    /** The allocation-failure rate limit ({@code nopage_rs}). */
    public Ratelimit nopageRatelimit() {
        return nopageRatelimit;
    }

    /** The logical time in ms for rate limits; -1 when there is no clock (nothing limited). */
    public long nowMs() {
        return nowMs;
    }

    /** Sets the logical time. */
    public void setNowMs(long nowMs) {
        this.nowMs = nowMs;
    }

    /** True after a panic: the machine stopped. */
    public boolean panicked() {
        return panicked;
    }

    /** Records a panic. */
    public void setPanicked() {
        this.panicked = true;
    }

    /** Records a block handed to {@code t}: an mm's anon rss on the node, or a kernel holding for mm-less tasks. */
    public void chargeAllocation(Task t, Page page) {
        int zi = arch.zoneIndex(page.zone());
        if (t.mm() != null) {
            t.mm().holding(page.nodeId(), zi).blocks().put(page.pfn(), page.order());
            t.mm().addRss(page.nodeId(), 1L << page.order(), 0);
        } else {
            kernelHoldings.computeIfAbsent(t.pid(), k -> new ArrayList<>()).add(page);
        }
    }

    /**
     * Frees {@code 2^order} pages at {@code pfn} on {@code node} that {@code t} holds; throws when it does not hold
     * them all.
     */
    public void freePages(Task t, int node, long pfn, int order) {
        long size = 1L << order;
        NumaNode n = node(node);
        Zone zone = null;
        for (int zi = 0; zi < n.nrZones(); zi++) {
            Zone z = n.zone(zi);
            if (z.populated() && pfn >= z.startPfn() && pfn + size <= z.endPfn()) {
                zone = z;
            }
        }
        if (zone == null || (pfn & (size - 1)) != 0) {
            throw new IllegalArgumentException("free: pfn " + pfn + " order " + order + " is not an aligned block of node "
                    + node);
        }
        if (t.mm() == null) {
            List<Page> held = kernelHoldings.getOrDefault(t.pid(), new ArrayList<>());
            if (!held.remove(new Page(node, zone.type(), pfn, order))) {
                throw new IllegalArgumentException("free: pid " + t.pid() + " does not hold pfn " + pfn + " order " + order);
            }
            zone.freeOneBlock(pfn, order);
            return;
        }
        Mm.Holding h = t.mm().holding(node, zone.index());
        Integer heldOrder = h.blocks().get(pfn);
        if (heldOrder != null && heldOrder == order) {
            h.blocks().remove(pfn);
            zone.freeOneBlock(pfn, order);
            t.mm().subRss(node, size);
            return;
        }
        long first = MachineAccess.rankOf(zone, pfn);
        long last = MachineAccess.rankOf(zone, pfn + size - 1);
        if (first < 0 || last - first != size - 1) {
            throw new IllegalArgumentException("free: pid " + t.pid() + " does not hold pfn " + pfn + " order " + order);
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
                t.mm().subRss(node, size);
                return;
            }
        }
        throw new IllegalArgumentException("free: pid " + t.pid() + " does not hold pfn " + pfn + " order " + order);
    }

    /**
     * A task exits (kernel-model.md §10e): the whole thread group goes; when the last user of the mm leaves, every page
     * of the mm returns to the buddy lists and swap entries are released; memdie is cleared.
     */
    public void exitTask(Task t) {
        for (Task thread : tasks.threads(t)) {
            exitOne(thread);
        }
    }

    private void exitOne(Task t) {
        t.setDead();
        t.set(TaskFlag.MEMDIE, false);
        Mm mm = t.mm();
        t.clearMm();
        List<Page> kernel = kernelHoldings.remove(t.pid());
        if (kernel != null) {
            for (Page p : kernel) {
                zone(p.nodeId(), arch.zoneIndex(p.zone())).freeOneBlock(p.pfn(), p.order());
            }
        }
        if (mm != null && tasks.users(mm).isEmpty()) {
            for (Map.Entry<Long, Mm.Holding> e : mm.holdings().entrySet()) {
                int node = (int) (e.getKey() >>> 8);
                int zi = (int) (e.getKey() & 0xff);
                Zone zone = zone(node, zi);
                for (long[] r : e.getValue().rankRanges()) {
                    MachineAccess.freeLoadRanks(zone, r[0], r[1]);
                }
                for (Map.Entry<Long, Integer> b : e.getValue().blocks().entrySet()) {
                    zone.freeOneBlock(b.getKey(), b.getValue());
                }
            }
            mm.release();
        }
    }

    /**
     * Exits every live OOM victim (memdie, or SIGKILL pending) except {@code current}'s thread group (it dies on
     * return to user space): kernel-model.md §10e, "processed before the requester's next retry".
     */
    public List<Integer> exitKilledTasks(Task current) {
        List<Integer> exited = new ArrayList<>();
        for (Task t : tasks.live()) {
            boolean victim = t.sigkillPending() || t.has(TaskFlag.MEMDIE);
            if (victim && t.alive() && (current == null || t.tgid() != current.tgid())) {
                exited.add(t.pid());
                exitTask(t);
            }
        }
        return exited;
    }

    /** Usage of a memcg: rss of the distinct mms of its live tasks (charges add to the charging task's rss). */
    public long memcgUsagePages(Memcg memcg) {
        long sum = 0;
        java.util.Set<Mm> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Task t : tasks.live()) {
            if (t.mm() != null && memcg.name().equals(t.memcg()) && seen.add(t.mm())) {
                sum += t.mm().rssPages();
            }
        }
        return sum;
    }
}
