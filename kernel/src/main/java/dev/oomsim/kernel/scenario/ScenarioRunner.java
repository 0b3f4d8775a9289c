package dev.oomsim.kernel.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import dev.oomsim.kernel.KernelLog;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.image.MachineImage;
import dev.oomsim.kernel.mm.AllocRequest;
import dev.oomsim.kernel.mm.AllocResult;
import dev.oomsim.kernel.mm.AllocTrace;
import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.mm.CompactionModel;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.MayOomResult;
import dev.oomsim.kernel.mm.NodeMask;
import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.mm.NumaNode;
import dev.oomsim.kernel.mm.PageAllocator;
import dev.oomsim.kernel.mm.ReclaimModel;
import dev.oomsim.kernel.mm.Topology;
import dev.oomsim.kernel.mm.WatermarkSetup;
import dev.oomsim.kernel.mm.ZoneSnapshot;
import dev.oomsim.kernel.oom.LocalOomLock;
import dev.oomsim.kernel.oom.OomKiller;
import dev.oomsim.kernel.oom.OomLock;
import dev.oomsim.kernel.oom.OomOutcome;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.sysctl.VmSysctl;
import dev.oomsim.kernel.task.Cpuset;
import dev.oomsim.kernel.task.Memcg;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.kernel.task.TaskTable;

/**
 * The offline scenario runner (docs/scenario-format.md): boots a {@link Machine} from a {@link Scenario}, runs its
 * events in order, and reports. {@link #allocate} and {@link #mayOom} are the two entry points of
 * docs/kernel-model.md §2. Single-threaded; deterministic.
 */
public final class ScenarioRunner {
    private final Scenario scenario;
    private final Machine machine;
    private final OomKiller oomKiller;
    private final PageAllocator allocator;
    private final long minFreeKbytes;
    /** Every mm by id in the order tasks created them: the machine file's, then those of tasks spawned since. */
    private final Map<Integer, Mm> mms = new LinkedHashMap<>();

    /**
     * Boots the machine a scenario describes (no events run yet): in-process {@code oom_lock}, every node's memory
     * local.
     */
    public ScenarioRunner(Scenario scenario) {
        this(scenario, localLock(scenario), NodeMemory.Factory.local());
    }

    /**
     * Boots the machine a scenario describes (no events run yet), with the node memories {@code memoryFactory} builds
     * (for instance a decorator, or a node answered elsewhere).
     */
    public ScenarioRunner(Scenario scenario, NodeMemory.Factory memoryFactory) {
        this(scenario, localLock(scenario), memoryFactory);
    }

    /**
     * Boots the machine with the given {@code oom_lock} and node memories (a node agent passes the cluster-wide lock;
     * the scenario's {@code oom_lock: held} is then the lock owner's business).
     */
    public ScenarioRunner(Scenario scenario, OomLock oomLock, NodeMemory.Factory memoryFactory) {
        this.scenario = scenario;
        Profile profile = scenario.profile();
        Arch arch = scenario.arch();
        List<NumaNode> nodes;
        try {
            nodes = Topology.build(arch, scenario.nodes());
        } catch (IllegalArgumentException e) {
            throw new ScenarioException("nodes", e.getMessage(), e);
        }
        Scenario.SysctlSpec sc = scenario.sysctl();
        this.minFreeKbytes = sc.minFreeKbytes() != null ? sc.minFreeKbytes()
                : WatermarkSetup.computeMinFreeKbytes(nodes, arch, profile);
        List<Long> ratio = sc.lowmemReserveRatio() != null ? sc.lowmemReserveRatio() : defaultRatio(arch, profile);
        VmSysctl sysctl = new VmSysctl(minFreeKbytes, sc.panicOnOom(), sc.oomKillAllocatingTask(), sc.oomDumpTasks(),
                ratio, sc.watermarkScaleFactor());
        WatermarkSetup.setupPerZoneWmarks(nodes, arch, profile, minFreeKbytes, sc.watermarkScaleFactor());
        WatermarkSetup.applyWatermarkOverrides(nodes, arch, scenario.nodes());
        WatermarkSetup.setupPerZoneLowmemReserve(nodes, sysctl.lowmemReserveRatioArray(), profile);
        List<Integer> memNodes = new ArrayList<>();
        for (NumaNode n : nodes) {
            if (n.hasMemory()) {
                memNodes.add(n.id());
            }
        }
        TaskTable tasks = new TaskTable(NodeMask.of(memNodes));
        for (Cpuset cs : scenario.cpusets()) {
            tasks.addCpuset(cs);
        }
        OomLock lock = oomLock;
        Scenario.Options o = scenario.options();
        ReclaimModel reclaim = o.reclaimPagesPerPass() == null ? ReclaimModel.swapClusterPerZone()
                : ReclaimModel.fixedPerPass(o.reclaimPagesPerPass());
        if (o.reclaimQuirk44()) {
            reclaim = reclaim.withReclaimQuirk44();
        }
        CompactionModel compaction = o.compactionSucceeds() ? CompactionModel.alwaysSucceeds()
                : CompactionModel.alwaysFails();
        this.machine = new Machine(profile, arch, nodes, tasks, sysctl, scenario.swapPages(),
                scenario.suspendedStorage(), scenario.oomKillerDisabled(), lock, scenario.oomNotifierFreesPages(),
                scenario.memcgs(), reclaim, compaction, o.exitVictimsBeforeRetry(), o.maxRetries(), memoryFactory);
        machine.setOomReaperDelayMs(o.oomReaperDelayMs());
        loadTasks();
        this.oomKiller = new OomKiller(machine);
        this.allocator = new PageAllocator(machine, oomKiller);
    }

    private static List<Long> defaultRatio(Arch arch, Profile profile) {
        List<Long> out = new ArrayList<>();
        for (long r : arch.defaultLowmemReserveRatio()) {
            out.add(r);
        }
        if (profile == Profile.MODERN) {
            if (arch == Arch.I386) {
                out.set(2, 0L);
            }
            while (out.size() < arch.nrZones()) {
                out.add(0L);
            }
        }
        return out;
    }

    private void loadTasks() {
        List<Scenario.TaskSpec> specs = scenario.tasks();
        for (int i = 0; i < specs.size(); i++) {
            spawn(specs.get(i), "tasks[" + i + "]");
        }
    }

    /**
     * A task joins the table at its end, as boot loads each of the machine file's tasks: its own mm (counters, pages
     * per node) when its mm id is its pid, the mm of an earlier task when it names one, none for a kernel thread or a
     * {@code no_mm} task; linked under its parent. A node agent spawns the tasks of {@code task-events} the same way
     * (each node's memory loads its own node's pages; another node's memory there loads nothing). The task is in the
     * table even when loading its pages fails (a {@link ScenarioException} at {@code path.rss.<node>}).
     */
    public Task spawn(Scenario.TaskSpec ts, String path) {
        Mm mm = null;
        boolean ownMm = false;
        if (!ts.flags().contains(TaskFlag.NO_MM) && !ts.flags().contains(TaskFlag.KTHREAD)) {
            mm = mms.get(ts.mm());
            if (mm == null) {
                if (ts.mm() != ts.pid()) {
                    throw new ScenarioException(path + ".mm", "mm " + ts.mm() + " belongs to a task without an mm");
                }
                mm = new Mm(ts.pid(), machine.nodes().size());
                mm.setCounters(ts.swapents(), ts.nrPtes(), ts.nrPmds(), ts.totalVmPages());
                mm.setShmemPages(ts.shmemPages());
                mms.put(ts.pid(), mm);
                ownMm = true;
            }
        } else if (!ts.rss().isEmpty()) {
            throw new ScenarioException(path + ".rss", "a task without an mm holds no user pages");
        }
        Cpuset cs = machine.tasks().cpuset(ts.cpuset());
        Task t = new Task(ts.pid(), ts.tgid(), ts.comm(), ts.uid(), ts.parent(), mm, ts.oomScoreAdj(),
                ts.capSysAdmin(), cs, ts.mempolicy(), ts.memcg(), ts.flags());
        machine.tasks().add(t);
        if (ownMm) {
            for (Scenario.RssSpec r : ts.rss()) {
                loadPages(mm, r, path + ".rss." + r.node());
            }
        }
        return t;
    }

    /** The mm of id {@code id} (the pid of the task that owns its counters), or null. */
    public Mm mm(int id) {
        return mms.get(id);
    }

    /**
     * Gives {@code mm} the pages {@code r} says it holds on node {@code r.node()}, as boot does: through that node's
     * {@link NodeMemory#loadTaskPages}, into the named zone or else the node's highest populated zone.
     */
    public void loadPages(Mm mm, Scenario.RssSpec r, String path) {
        NumaNode node = machine.node(r.node());
        int zi = -1;
        if (r.zone() != null) {
            zi = machine.arch().zoneIndex(r.zone());
        } else {
            for (int z = node.nrZones() - 1; z >= 0 && zi < 0; z--) {
                if (node.zone(z).populated()) {
                    zi = z;
                }
            }
        }
        long pages = r.anonPages() + r.filePages();
        if (pages > 0 && (zi < 0 || !node.zone(zi).populated())) {
            throw new ScenarioException(path, "node " + r.node() + " has no such zone");
        }
        try {
            machine.memory(r.node()).loadTaskPages(mm, zi, r.anonPages(), r.filePages());
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(path, e.getMessage(), e);
        }
    }

    private static OomLock localLock(Scenario scenario) {
        LocalOomLock lock = new LocalOomLock();
        if (scenario.oomLockHeld()) {
            lock.holdElsewhere();
        }
        return lock;
    }

    /** Parses and runs a scenario tree in one go. */
    public static ScenarioRun run(Object tree) {
        return run(ScenarioParser.parse(tree));
    }

    /** Runs every event of a scenario and reports. */
    public static ScenarioRun run(Scenario scenario) {
        return run(scenario, NodeMemory.Factory.local());
    }

    /** Runs every event of a scenario, on the node memories {@code memoryFactory} builds, and reports. */
    public static ScenarioRun run(Scenario scenario, NodeMemory.Factory memoryFactory) {
        ScenarioRunner runner = new ScenarioRunner(scenario, memoryFactory);
        Map<String, Object> boot = runner.bootReport();
        List<EventResult> results = new ArrayList<>();
        List<Scenario.Event> events = scenario.events();
        for (int i = 0; i < events.size() && !runner.machine.panicked(); i++) {
            results.add(runner.runEvent(i, events.get(i), scenario.clockMs(i)));
        }
        return new ScenarioRun(boot, results, runner.stateReport());
    }

    /** The booted machine (its state as events change it). */
    public Machine machine() {
        return machine;
    }

    /** The OOM killer (for oom_score reads and direct calls). */
    public OomKiller oomKiller() {
        return oomKiller;
    }

    /** The allocator. */
    public PageAllocator allocator() {
        return allocator;
    }

    /**
     * An image of everything events changed since boot (see {@link MachineImage}), to be taken between events, with the
     * memory of the nodes {@code ownedNodes} accepts. The memory of any other node is never called (in a node agent it
     * is a proxy to the node's owner) and the per-node rss and holdings of mms are read for owned nodes only. Reading
     * changes nothing: the runner goes on as if no image had been taken.
     */
    public MachineImage captureImage(IntPredicate ownedNodes) {
        return machine.captureImage(List.copyOf(mms.values()), ownedNodes);
    }

    /**
     * Overwrites this runner's state with {@code image}, taken by {@link #captureImage} of a runner booted from the
     * same machine spec (a node agent boots one, restores, then replays what follows the image). The nodes restored are
     * those the image holds; no other node's memory is called, nor the per-node state of mms on it. Throws
     * {@link IllegalArgumentException} when the image does not fit this machine (other profile, arch or number of
     * nodes, another zone layout, other pids or mms, overlapping free blocks), and
     * {@link UnsupportedOperationException} when it holds a node whose memory is not in this process. Nothing changes
     * before the misfit is found, except that each node checks its own part as it is restored: a misfit of a later
     * node leaves the earlier ones restored (boot another runner).
     */
    public void restoreImage(MachineImage image) {
        machine.restoreImage(image, List.copyOf(mms.values()));
    }

    /**
     * Runs event {@code index} of the scenario and returns its result, for a caller that knows no time for it: with
     * {@code options.time_ms_per_event} the logical clock first moves to {@code index} times that; otherwise it stays.
     */
    public EventResult runEvent(int index, Scenario.Event event) {
        return runEvent(index, event, defaultClockMs(index));
    }

    /**
     * The time of event {@code index} for a caller that knows none: {@code index × options.time_ms_per_event}, or
     * {@link Scenario#NO_CLOCK}.
     */
    public long defaultClockMs(int index) {
        Long perEvent = scenario.options().timeMsPerEvent();
        return perEvent == null ? Scenario.NO_CLOCK : index * perEvent;
    }

    /**
     * Whether an event run at {@code clockMs} (as {@link #runEvent(int, Scenario.Event, long)} takes it) first wakes
     * the modern oom_reaper: some task's reaper timer has expired by then.
     */
    public boolean oomReaperDueAt(long clockMs) {
        long now = clockMs == Scenario.NO_CLOCK ? machine.nowMs() : clockMs;
        if (machine.profile() == Profile.SEED || now < 0) {
            return false;
        }
        for (Task t : machine.tasks().all()) {
            if (t.oomReapAtMs() != Task.NO_REAP && t.oomReapAtMs() <= now) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs event {@code index} at logical time {@code clockMs} ({@link Scenario#clockMs}; {@link Scenario#NO_CLOCK}
     * leaves the clock as it is), wherever the event runs (in process, or in an agent given the time by the request).
     */
    public EventResult runEvent(int index, Scenario.Event event, long clockMs) {
        if (clockMs != Scenario.NO_CLOCK) {
            machine.setNowMs(clockMs);
        }
        return runEventNow(index, event);
    }

    private EventResult runEventNow(int index, Scenario.Event event) {
        List<String> reaped = machine.profile() == Profile.SEED ? List.of() : oomKiller.oomReaper();
        EventResult result = runEventAfterReaper(index, event);
        return reaped.isEmpty() ? result : new EventResult.Reaped(result, reaped);
    }

    private EventResult runEventAfterReaper(int index, Scenario.Event event) {
        try {
            if (event instanceof Scenario.AllocEvent a) {
                return afterOom(allocate(index, new AllocRequest(a.pid(), a.gfp(), a.order(), a.node())));
            }
            if (event instanceof Scenario.MayOomEvent a) {
                return afterOom(mayOom(index, new AllocRequest(a.pid(), a.gfp(), a.order(), a.node())));
            }
            if (event instanceof Scenario.FreeEvent f) {
                if (exited(f.pid())) {
                    return new EventResult.Simple(index, "free", f.pid());
                }
                machine.freePages(task(f.pid()), f.node(), f.pfn(), f.order());
                return new EventResult.Simple(index, "free", f.pid());
            }
            if (event instanceof Scenario.ExitEvent x) {
                if (!exited(x.pid())) {
                    machine.exitTask(task(x.pid()));
                }
                return new EventResult.Simple(index, "exit", x.pid());
            }
            if (event instanceof Scenario.SetEvent s) {
                if (!exited(s.pid())) {
                    for (Task thread : machine.tasks().threads(task(s.pid()))) {
                        thread.setOomScoreAdj(s.oomScoreAdj());
                    }
                }
                return new EventResult.Simple(index, "set", s.pid());
            }
            if (event instanceof Scenario.ChargeEvent c) {
                return afterOom(charge(index, c));
            }
            Scenario.OomScoreEvent s = (Scenario.OomScoreEvent) event;
            return new EventResult.OomScore(index, s.pid(), oomKiller.oomScore(machine.tasks().get(s.pid())));
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(event.path(), e.getMessage(), e);
        }
    }

    private <T extends EventResult> T afterOom(T result) {
        if (machine.exitVictimsBeforeRetry() && !machine.panicked()) {
            machine.exitKilledTasks(null);
        }
        return result;
    }

    /** A task that already exited (an OOM victim exits on its own): free, exit and set on it change nothing. */
    private boolean exited(int pid) {
        Task t = machine.tasks().get(pid);
        return t != null && !t.alive();
    }

    private Task task(int pid) {
        Task t = machine.tasks().get(pid);
        if (t == null || !t.alive()) {
            throw new IllegalArgumentException("pid " + pid + " is not a live task");
        }
        return t;
    }

    /** Entry point 1 (docs/kernel-model.md §2): the whole allocation path for a request. */
    public EventResult.Alloc allocate(int index, AllocRequest request) {
        task(request.pid());
        AllocResult r = allocator.allocPages(request);
        AllocTrace t = r.trace();
        return new EventResult.Alloc(index, "alloc", t.page(), t.didSomeProgress(), t.mayOomCalls(),
                t.reclaimPasses(), t.oomCalls(), t.panic(), t.log(), t.path());
    }

    /** Entry point 1 without an event index. */
    public EventResult.Alloc allocate(AllocRequest request) {
        return allocate(0, request);
    }

    /**
     * Entry point 2 (docs/kernel-model.md §2): {@code __alloc_pages_may_oom} alone, on the machine state as it stands
     * (taken to be the state between reclaim and the OOM step).
     */
    public EventResult.Alloc mayOom(int index, AllocRequest request) {
        task(request.pid());
        KernelLog log = new KernelLog();
        List<String> path = new ArrayList<>();
        MayOomResult r = allocator.mayOom(request, log, path);
        AllocTrace t = allocator.lastMayOomTrace();
        return new EventResult.Alloc(index, "may_oom", r.page(), r.didSomeProgress(), 1, 0, t.oomCalls(), t.panic(),
                log.lines(), path);
    }

    /** Entry point 2 without an event index. */
    public EventResult.Alloc mayOom(AllocRequest request) {
        return mayOom(0, request);
    }

    /** The memcg charge path (docs/kernel-model.md §10f): charge, or OOM-kill inside the memcg and try again. */
    private EventResult.Charge charge(int index, Scenario.ChargeEvent c) {
        Task t = task(c.pid());
        KernelLog log = new KernelLog();
        List<OomOutcome> calls = new ArrayList<>();
        Memcg memcg = t.memcg() == null ? null : machine.memcg(t.memcg());
        boolean charged = false;
        String panic = null;
        boolean modern = machine.profile() != dev.oomsim.kernel.profile.Profile.SEED;
        // v6.1 try_charge_memcg: mem_cgroup_oom(..., get_order(nr_pages * PAGE_SIZE)).
        int order = 0;
        while ((1L << order) < c.pages()) {
            order++;
        }
        boolean passedOom = false;
        for (int attempt = 0; attempt <= machine.maxRetries(); attempt++) {
            boolean dying = t.has(TaskFlag.MEMDIE) || t.has(TaskFlag.FATAL_SIGNAL) || t.has(TaskFlag.EXITING);
            // seed: should_force_charge; v5.16+ charges a dying task past the limit no more.
            boolean force = !modern && dying;
            if (memcg == null || force || machine.memcgUsagePages(memcg) + c.pages() <= memcg.limitPages()) {
                if (t.mm() != null) {
                    machine.memory(t.cpuset().mems().nodes().get(0)).chargeRss(t.mm(), c.pages());
                }
                charged = true;
                break;
            }
            if (modern && ((passedOom && dying) || order > PageAllocator.PAGE_ALLOC_COSTLY_ORDER)) {
                break; // nomem: GFP_KERNEL has neither NOFAIL nor HIGH, so -ENOMEM
            }
            if (memcg.oomKillDisable()) {
                // mem_cgroup_oom: oom_kill_disable leaves the OOM to user space; the fault then sleeps in
                // mem_cgroup_oom_synchronize (not modelled), and the charge has failed.
                break;
            }
            if (modern && dying) {
                passedOom = true; // mem_cgroup_out_of_memory: task_is_dying() || out_of_memory(); no kill
                continue;
            }
            passedOom = true;
            OomOutcome o = oomKiller.memcgOutOfMemory(t, memcg, GfpFlags.GFP_KERNEL, modern ? order : 0, log);
            calls.add(o);
            if (o.panic() != null) {
                panic = o.panic();
                break;
            }
            if (o.killed().isEmpty() || !machine.exitVictimsBeforeRetry() || o.killed().contains(t.pid())) {
                if (!t.has(TaskFlag.MEMDIE)) {
                    break;
                }
                continue;
            }
            machine.exitKilledTasks(t);
        }
        return new EventResult.Charge(index, c.pid(), charged, calls, panic, log.lines());
    }

    /** The {@code boot} report: min_free_kbytes, totalram_pages, and per populated zone its marks and reserves. */
    public Map<String, Object> bootReport() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("profile", machine.profile().scenarioName());
        b.put("min_free_kbytes", minFreeKbytes);
        b.put("totalram_pages", machine.totalramPages());
        List<Object> zones = new ArrayList<>();
        for (NumaNode n : machine.nodes()) {
            for (ZoneSnapshot z : machine.memory(n.id()).zoneSnapshots()) {
                Map<String, Object> zt = new LinkedHashMap<>();
                zt.put("node", n.id());
                zt.put("zone", z.type().name());
                zt.put("managed", z.managedPages());
                Map<String, Object> w = new LinkedHashMap<>();
                w.put("min", z.watermarks().minPages());
                w.put("low", z.watermarks().lowPages());
                w.put("high", z.watermarks().highPages());
                zt.put("watermarks", w);
                List<Object> reserve = new ArrayList<>();
                for (long r : z.lowmemReserve()) {
                    reserve.add(r);
                }
                zt.put("lowmem_reserve", reserve);
                zones.add(zt);
            }
        }
        b.put("zones", zones);
        return b;
    }

    /** The {@code state} report: per populated zone free and nr_free, per task liveness and rss, the lock. */
    public Map<String, Object> stateReport() {
        Map<String, Object> s = new LinkedHashMap<>();
        List<Object> zones = new ArrayList<>();
        for (NumaNode n : machine.nodes()) {
            for (ZoneSnapshot z : machine.memory(n.id()).zoneSnapshots()) {
                Map<String, Object> zt = new LinkedHashMap<>();
                zt.put("node", n.id());
                zt.put("zone", z.type().name());
                zt.put("free", z.freePages());
                List<Object> nr = new ArrayList<>();
                for (long v : z.nrFree()) {
                    nr.add(v);
                }
                zt.put("nr_free", nr);
                zones.add(zt);
            }
        }
        s.put("zones", zones);
        List<Object> tasks = new ArrayList<>();
        for (Task t : machine.tasks().all()) {
            Map<String, Object> tt = new LinkedHashMap<>();
            tt.put("pid", t.pid());
            tt.put("alive", t.alive());
            tt.put("memdie", t.has(TaskFlag.MEMDIE));
            tt.put("killed", t.killed());
            Map<String, Object> rss = new LinkedHashMap<>();
            for (NumaNode n : machine.nodes()) {
                rss.put(String.valueOf(n.id()), t.mm() == null ? 0L
                        : machine.memory(n.id()).anonPages(t.mm()) + machine.memory(n.id()).filePages(t.mm()));
            }
            tt.put("rss", rss);
            tasks.add(tt);
        }
        s.put("tasks", tasks);
        s.put("oom_lock", machine.oomLock().isHeld() ? "held" : "free");
        return s;
    }
}
