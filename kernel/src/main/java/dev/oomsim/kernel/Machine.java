package dev.oomsim.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;

import dev.oomsim.kernel.image.MachineImage;
import dev.oomsim.kernel.image.MmImage;
import dev.oomsim.kernel.image.NodeImage;
import dev.oomsim.kernel.image.OomLockImage;
import dev.oomsim.kernel.image.TaskImage;
import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.mm.CompactionModel;
import dev.oomsim.kernel.mm.LocalNodeMemory;
import dev.oomsim.kernel.mm.NodeMask;
import dev.oomsim.kernel.mm.NodeMemories;
import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.mm.NumaNode;
import dev.oomsim.kernel.mm.Page;
import dev.oomsim.kernel.mm.ReclaimModel;
import dev.oomsim.kernel.mm.Zone;
import dev.oomsim.kernel.oom.LocalOomLock;
import dev.oomsim.kernel.oom.OomLock;
import dev.oomsim.kernel.oom.Ratelimit;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.sysctl.VmSysctl;
import dev.oomsim.kernel.task.Memcg;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.kernel.task.TaskTable;

/**
 * The global state of docs/kernel-model.md §3: nodes and zones, the task table, sysctls, swap, suspend state, the OOM
 * lock, the notifier, memcgs, and the pluggable reclaim and compaction models. Mutable; owned by the single thread that
 * runs the model (the scenario runner). The logical clock ({@link #setNowMs}) feeds the rate limits; -1 disables them.
 * Every operation on a node's zones and on the pages tasks hold there goes through that node's {@link NodeMemory}
 * ({@link #memory}); by default every node's is a {@link LocalNodeMemory}.
 */
public final class Machine implements NodeMemories {
    /** {@code OOM_REAPER_DELAY} (v6.1, mm/oom_kill.c): 2 × HZ. */
    public static final long DEFAULT_OOM_REAPER_DELAY_MS = 2000;

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
    private final NodeMemory[] memories;
    private final Ratelimit oomReportRatelimit = Ratelimit.kernelDefault();
    private final Ratelimit nopageRatelimit = Ratelimit.kernelDefault();
    private long nowMs = -1;
    private long oomReaperDelayMs = DEFAULT_OOM_REAPER_DELAY_MS;
    private boolean panicked;

    /**
     * Assembles a machine with every node's memory in-process; nodes must already carry watermarks and reserves (see
     * {@code ScenarioRunner}).
     */
    public Machine(Profile profile, Arch arch, List<NumaNode> nodes, TaskTable tasks, VmSysctl sysctl,
            long totalSwapPages, boolean suspendedStorage, boolean oomKillerDisabled, OomLock oomLock,
            long oomNotifierFreesPages, List<Memcg> memcgs, ReclaimModel reclaimModel, CompactionModel compactionModel,
            boolean exitVictimsBeforeRetry, int maxRetries) {
        this(profile, arch, nodes, tasks, sysctl, totalSwapPages, suspendedStorage, oomKillerDisabled, oomLock,
                oomNotifierFreesPages, memcgs, reclaimModel, compactionModel, exitVictimsBeforeRetry, maxRetries,
                NodeMemory.Factory.local());
    }

    /**
     * Assembles a machine whose node memories {@code memoryFactory} builds (given each node's {@link LocalNodeMemory});
     * nodes must already carry watermarks and reserves.
     */
    public Machine(Profile profile, Arch arch, List<NumaNode> nodes, TaskTable tasks, VmSysctl sysctl,
            long totalSwapPages, boolean suspendedStorage, boolean oomKillerDisabled, OomLock oomLock,
            long oomNotifierFreesPages, List<Memcg> memcgs, ReclaimModel reclaimModel, CompactionModel compactionModel,
            boolean exitVictimsBeforeRetry, int maxRetries, NodeMemory.Factory memoryFactory) {
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
        this.memories = new NodeMemory[this.nodes.size()];
        for (int i = 0; i < memories.length; i++) {
            NumaNode n = this.nodes.get(i);
            if (n.id() != i) {
                throw new IllegalArgumentException("nodes: node at position " + i + " has id " + n.id());
            }
            NodeMemory mem = memoryFactory.create(n, new LocalNodeMemory(n, arch, profile));
            if (mem == null || mem.nodeId() != i) {
                throw new IllegalArgumentException("node memory: factory gave " + mem + " for node " + i);
            }
            memories[i] = mem;
        }
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

    /**
     * The zone at a zonelist entry, for tests and boot-time setup only: the kernel's code reaches zones through
     * {@link #memory}.
     */
    public Zone zone(int nodeId, int zoneIdx) {
        return nodes.get(nodeId).zone(zoneIdx);
    }

    /** The memory of node {@code nodeId}: every operation on its zones and on the pages tasks hold there. */
    @Override
    public NodeMemory memory(int nodeId) {
        return memories[nodeId];
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

    /** How long after a kill the modern profile's oom_reaper timer expires, in logical ms. */
    public long oomReaperDelayMs() {
        return oomReaperDelayMs;
    }

    /** Sets the oom_reaper delay (the scenario's {@code options.oom_reaper_delay_ms}). */
    public void setOomReaperDelayMs(long delayMs) {
        if (delayMs < 0) {
            throw new IllegalArgumentException("oom_reaper_delay_ms: must be >= 0, got " + delayMs);
        }
        this.oomReaperDelayMs = delayMs;
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

    /**
     * An image of the machine between events (see {@link MachineImage}), with the memory of the nodes
     * {@code ownedNodes} accepts only: another node's memory is not called at all (in a node agent it is a proxy to its
     * owner, and the per-node state of {@code mms} there is not this process's). {@code mms} is every mm the machine
     * was booted with, in boot order: an exited task drops its mm, but a node may still be told to release it.
     */
    public MachineImage captureImage(List<Mm> mms, IntPredicate ownedNodes) {
        List<TaskImage> taskImages = new ArrayList<>();
        for (Task t : tasks.all()) {
            taskImages.add(t.captureImage());
        }
        List<MmImage> mmImages = new ArrayList<>();
        for (Mm mm : mms) {
            mmImages.add(mm.captureImage());
        }
        List<NodeImage> nodeImages = new ArrayList<>();
        for (int id = 0; id < memories.length; id++) {
            if (ownedNodes.test(id)) {
                nodeImages.add(memories[id].captureImage(mms));
            }
        }
        Optional<OomLockImage> lock = oomLock instanceof LocalOomLock local ? Optional.of(local.captureImage())
                : Optional.empty();
        return new MachineImage(profile, arch, nodes.size(), sysctl, nowMs, panicked,
                oomReportRatelimit.captureImage(), nopageRatelimit.captureImage(), lock, taskImages,
                tasks.changedPids(), mmImages, nodeImages);
    }

    /**
     * Overwrites the machine's mutable state with {@code image}, taken by {@link #captureImage} of a machine booted
     * from the same spec with the same {@code mms}: the imaged nodes' memory (no other node's is called), the mms,
     * every task, the task table's change record, the sysctls, clock, panic flag, rate limits and in-process lock.
     * Everything the machine alone can check (profile, arch, nodes, tasks, mms, lock kind) is checked before anything
     * changes; a node's memory checks its own image before changing, so only a node image that does not fit, after an
     * earlier node was restored, leaves the machine part-restored (boot another one).
     */
    public void restoreImage(MachineImage image, List<Mm> mms) {
        requireFits(image, mms);
        for (NodeImage n : image.nodes()) {
            memories[n.nodeId()].restoreImage(n, mms);
        }
        for (int i = 0; i < mms.size(); i++) {
            mms.get(i).restoreImage(image.mms().get(i));
        }
        Map<Integer, Mm> mmById = byId(mms);
        for (int i = 0; i < image.tasks().size(); i++) {
            TaskImage ti = image.tasks().get(i);
            tasks.all().get(i).restoreImage(ti, ti.hasMm() ? mmById.get(ti.mmId()) : null);
        }
        tasks.restoreChanged(image.changedPids());
        sysctl = image.sysctl();
        nowMs = image.nowMs();
        panicked = image.panicked();
        oomReportRatelimit.restoreImage(image.oomReportRatelimit());
        nopageRatelimit.restoreImage(image.nopageRatelimit());
        image.oomLock().ifPresent(lock -> ((LocalOomLock) oomLock).restoreImage(lock));
    }

    private void requireFits(MachineImage image, List<Mm> mms) {
        if (image.profile() != profile || image.arch() != arch || image.nrNodes() != nodes.size()) {
            throw new IllegalArgumentException("image: taken of a " + image.profile().scenarioName() + " "
                    + image.arch().scenarioName() + " machine of " + image.nrNodes() + " nodes, this one is "
                    + profile.scenarioName() + " " + arch.scenarioName() + " with " + nodes.size() + " nodes");
        }
        if (image.oomLock().isPresent() != oomLock instanceof LocalOomLock) {
            throw new IllegalArgumentException("image: " + (image.oomLock().isPresent()
                    ? "holds an in-process oom_lock, this machine's is " + oomLock.getClass().getSimpleName()
                    : "holds no oom_lock, this machine's is in process"));
        }
        List<Task> all = tasks.all();
        if (image.tasks().size() != all.size()) {
            throw new IllegalArgumentException("image: " + image.tasks().size() + " tasks, this machine has "
                    + all.size());
        }
        List<Integer> imageMms = new ArrayList<>();
        for (MmImage mi : image.mms()) {
            imageMms.add(mi.id());
        }
        Map<Integer, Mm> mmById = byId(mms);
        for (int i = 0; i < all.size(); i++) {
            TaskImage ti = image.tasks().get(i);
            if (ti.pid() != all.get(i).pid()) {
                throw new IllegalArgumentException("image: task " + i + " is pid " + ti.pid()
                        + ", this machine's is pid " + all.get(i).pid());
            }
            Mm mm = ti.hasMm() ? mmById.get(ti.mmId()) : null;
            if (ti.hasMm() && mm == null) {
                throw new IllegalArgumentException("image: pid " + ti.pid() + " uses mm " + ti.mmId()
                        + ", which this machine does not have");
            }
            all.get(i).requireFits(ti, mm);
        }
        if (!imageMms.equals(new ArrayList<>(mmById.keySet()))) {
            throw new IllegalArgumentException("image: mms " + imageMms + ", this machine's " + mmById.keySet());
        }
        for (int pid : image.changedPids()) {
            if (tasks.get(pid) == null) {
                throw new IllegalArgumentException("image: changed task " + pid + " is not a task of this machine");
            }
        }
    }

    /** The mms by id, in their order. */
    private static Map<Integer, Mm> byId(List<Mm> mms) {
        Map<Integer, Mm> out = new LinkedHashMap<>();
        for (Mm mm : mms) {
            out.put(mm.id(), mm);
        }
        return out;
    }

    /** Records a block handed to {@code t}: an mm's anon rss on the node, or a kernel holding for mm-less tasks. */
    public void chargeAllocation(Task t, Page page) {
        memory(page.nodeId()).chargeAllocation(t, page);
    }

    /**
     * Frees {@code 2^order} pages at {@code pfn} on {@code node} that {@code t} holds; throws when it does not hold
     * them all.
     */
    public void freePages(Task t, int node, long pfn, int order) {
        node(node);
        memory(node).freePages(t, pfn, order);
    }

    /**
     * A task exits (docs/kernel-model.md §10e): the whole thread group goes; when the last user of the mm leaves, every
     * page of the mm returns to the buddy lists and swap entries are released; memdie is cleared.
     */
    public void exitTask(Task t) {
        exitTask(t, List.of(memories));
    }

    /**
     * {@link #exitTask} as one node's copy of the machine applies an exit every node hears of (a node agent's
     * {@code task-events} EXIT): the same task-table changes, with only node {@code nodeId}'s pages released (every
     * other node releases its own).
     */
    public void exitTaskOn(int nodeId, Task t) {
        exitTask(t, List.of(memory(nodeId)));
    }

    private void exitTask(Task t, List<NodeMemory> released) {
        for (Task thread : tasks.threads(t)) {
            exitOne(thread, released);
        }
    }

    private void exitOne(Task t, List<NodeMemory> released) {
        t.setDead();
        t.set(TaskFlag.MEMDIE, false);
        Mm mm = t.mm();
        t.clearMm();
        for (NodeMemory mem : released) {
            mem.releaseKernelPages(t.pid());
        }
        if (mm != null && tasks.users(mm).isEmpty()) {
            for (NodeMemory mem : released) {
                mem.releaseMm(mm);
            }
            mm.release();
        }
    }

    /**
     * Exits every live OOM victim (memdie, or SIGKILL pending) except {@code current}'s thread group (it dies on
     * return to user space): docs/kernel-model.md §10e, "processed before the requester's next retry".
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
        Set<Mm> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Task t : tasks.live()) {
            if (t.mm() != null && memcg.name().equals(t.memcg()) && seen.add(t.mm())) {
                sum += rssPages(t.mm());
            }
        }
        return sum;
    }

    /** Σ {@code MM_ANONPAGES} of {@code mm} over every node's memory. */
    public long anonPages(Mm mm) {
        long sum = 0;
        for (NodeMemory mem : memories) {
            sum += mem.anonPages(mm);
        }
        return sum;
    }

    /** Σ {@code MM_FILEPAGES} of {@code mm} over every node's memory. */
    public long filePages(Mm mm) {
        long sum = 0;
        for (NodeMemory mem : memories) {
            sum += mem.filePages(mm);
        }
        return sum;
    }

    /** Mirrors {@code get_mm_rss}: anon + file over every node's memory (+ shmem, a counter of the mm). */
    public long rssPages(Mm mm) {
        return anonPages(mm) + filePages(mm) + mm.shmemPages();
    }
}
