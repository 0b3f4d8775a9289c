package dev.oomsim.kernel.oom;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.oomsim.kernel.KernelLog;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.CpusetRule;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.NodeMask;
import dev.oomsim.kernel.mm.NumaNode;
import dev.oomsim.kernel.mm.ZoneRef;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.task.Memcg;
import dev.oomsim.kernel.task.Mempolicy;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;

/**
 * The OOM killer of mm/oom_kill.c: {@code out_of_memory}, {@code constrained_alloc}, {@code select_bad_process},
 * {@code oom_badness}, {@code oom_kill_process}, {@code dump_header}/{@code dump_tasks}, the memcg OOM and
 * {@code /proc/PID/oom_score}, for the seed (v4.4) and modern (v6.1) profiles. Victim selection reads only the task
 * table (rss summed over nodes), so it can be fed from events. Runs on the machine's owner thread.
 */
public final class OomKiller {
    /** Seed {@code ULONG_MAX} (as an unsigned long in a signed Java long). */
    public static final long ULONG_MAX = -1L;
    /** Modern "unkillable" badness. */
    public static final long LONG_MIN = Long.MIN_VALUE;
    private static final String KERNEL_PANIC = "Kernel panic - not syncing: ";

    private final Machine m;
    private final CpusetRule cpuset;
    private Consumer<OomReport> observer = report -> { };

    /** A killer over {@code machine}. */
    public OomKiller(Machine machine) {
        this.m = machine;
        this.cpuset = new CpusetRule(machine);
    }

    /**
     * Sets who hears of every {@code out_of_memory} and memcg OOM call, when it returns, with its {@link OomReport}
     * (the node agent's kill events). Called on the machine's owner thread.
     */
    public void setObserver(Consumer<OomReport> observer) {
        this.observer = observer;
    }

    /** The mutable record of one out_of_memory call. */
    private static final class Call {
        OomConstraint constraint;
        Long totalpages;
        Chosen chosen;
        final List<Integer> killed = new ArrayList<>();
        final List<Integer> signalled = new ArrayList<>();
        boolean aborted;
        String panic;
        NodeMask nodemask;
        String memcg;
        TopCandidates top;
        Task selected;
        OomReport.Victim victim;

        OomOutcome outcome(boolean returned) {
            return new OomOutcome(constraint, totalpages, chosen, killed, signalled, aborted, returned, panic);
        }
    }

    /** Result of {@code constrained_alloc}. */
    public record Constraint(OomConstraint constraint, long totalpages) {
    }

    // ------------------------------------------------------------------ out_of_memory

    /** Mirrors {@code out_of_memory}, mm/oom_kill.c (docs/kernel-model.md §10; modern §13). */
    public OomOutcome outOfMemory(OomControl oc, Task current, KernelLog log) {
        Call call = new Call();
        int mark = log.size();
        OomOutcome outcome = outOfMemory(call, oc, current, log);
        report(call, outcome, oc, current, log, mark);
        return outcome;
    }

    /** Tells the observer what one OOM call did, with the lines it printed since {@code mark}. */
    private void report(Call call, OomOutcome outcome, OomControl oc, Task current, KernelLog log, int mark) {
        List<OomReport.Candidate> candidates = call.top == null ? List.of() : call.top.toList(call.selected);
        observer.accept(new OomReport(outcome, current.pid(), current.comm(), oc.gfp(), oc.order(), call.nodemask,
                candidates, call.victim, log.linesFrom(mark)));
    }

    private OomOutcome outOfMemory(Call call, OomControl oc, Task current, KernelLog log) {
        Profile profile = m.profile();
        if (m.oomKillerDisabled()) {
            return call.outcome(false);
        }
        if (m.oomNotifierFreesPages() > 0) {
            return call.outcome(true);
        }
        if (profile == Profile.SEED) {
            if (current.mm() != null && (current.has(TaskFlag.FATAL_SIGNAL) || current.willFreeMem())) {
                markOomVictim(current);
                return call.outcome(true);
            }
        } else {
            if (taskWillFreeMemModern(current)) {
                markOomVictim(current);
                queueOomReaper(current);
                return call.outcome(true);
            }
            if (!oc.gfp().has(GfpFlags.FS)) {
                return call.outcome(true);
            }
        }
        Constraint c = constrainedAlloc(oc, current);
        call.constraint = c.constraint();
        call.totalpages = c.totalpages();
        call.nodemask = c.constraint() == OomConstraint.CONSTRAINT_MEMORY_POLICY ? oc.nodemask() : null;
        OomControl control = new OomControl(oc.zonelist(), call.nodemask, oc.gfp(), oc.order(), null);
        if (checkPanicOnOom(control, call, current, log)) {
            return call.outcome(false);
        }
        long totalpages = c.totalpages();
        if (m.sysctl().oomKillAllocatingTask() == 1 && current.mm() != null
                && !oomUnkillableTask(current, null, call.nodemask, current)
                && current.oomScoreAdj() != Task.OOM_SCORE_ADJ_MIN) {
            call.chosen = new Chosen(current.pid(), current.comm(), 0, 0, profile == Profile.SEED);
            oomKillProcess(control, call, current, 0, totalpages, "Out of memory (oom_kill_allocating_task)", current,
                    log);
            return call.outcome(true);
        }
        call.top = new TopCandidates(profile == Profile.SEED);
        Selection sel = select(control, totalpages, current, null, call.top);
        call.selected = sel.chosen();
        if (sel.aborted()) {
            call.aborted = true;
            return call.outcome(true);
        }
        if (sel.chosen() == null) {
            dumpHeader(control, null, current, log);
            if (profile == Profile.SEED) {
                panic(call, "Out of memory and no killable processes...", log);
            } else {
                log.print("Out of memory and no killable processes...");
                panic(call, "System is deadlocked on memory", log);
            }
            return call.outcome(false);
        }
        long score = reportedScore(sel.points(), totalpages);
        call.chosen = new Chosen(sel.chosen().pid(), sel.chosen().comm(), sel.points(), score, profile == Profile.SEED);
        oomKillProcess(control, call, sel.chosen(), score, totalpages, "Out of memory", current, log);
        return call.outcome(true);
    }

    /** The score printed for chosen points: seed {@code (unsigned int)(points*1000/totalpages)}; modern signed. */
    long reportedScore(long points, long totalpages) {
        if (m.profile() == Profile.SEED) {
            return Long.divideUnsigned(points * 1000, totalpages) & 0xffffffffL;
        }
        return points * 1000 / totalpages;
    }

    private void panic(Call call, String text, KernelLog log) {
        log.print(KERNEL_PANIC + text);
        call.panic = text;
        m.setPanicked();
    }

    /** Mirrors {@code check_panic_on_oom}; returns true when it panicked. */
    boolean checkPanicOnOom(OomControl oc, Call call, Task current, KernelLog log) {
        int pon = m.sysctl().panicOnOom();
        if (pon == 0) {
            return false;
        }
        if (pon != 2 && call.constraint != OomConstraint.CONSTRAINT_NONE) {
            return false;
        }
        dumpHeader(oc, null, current, log);
        panic(call, "Out of memory: " + (pon == 2 ? "compulsory" : "system-wide") + " panic_on_oom is enabled", log);
        return true;
    }

    /** Mirrors {@code constrained_alloc}: the constraint and {@code totalpages}. */
    public Constraint constrainedAlloc(OomControl oc, Task current) {
        long swap = m.totalSwapPages();
        long all = m.totalramPages() + swap;
        if (oc.zonelist() == null || oc.gfp().has(GfpFlags.THISNODE)) {
            return new Constraint(OomConstraint.CONSTRAINT_NONE, all);
        }
        if (oc.nodemask() != null && !m.memoryNodes().subsetOf(oc.nodemask())) {
            return new Constraint(OomConstraint.CONSTRAINT_MEMORY_POLICY, swap + nodePages(oc.nodemask()));
        }
        int high = oc.gfp().gfpZoneIndex(m.arch());
        boolean cpusetLimited = false;
        for (ZoneRef ref : oc.zonelist().zones()) {
            if (ref.zoneIdx() <= high && (oc.nodemask() == null || oc.nodemask().contains(ref.nodeId()))
                    && !cpuset.nodeAllowed(ref.nodeId(), oc.gfp(), current)) {
                cpusetLimited = true;
            }
        }
        if (cpusetLimited) {
            return new Constraint(OomConstraint.CONSTRAINT_CPUSET, swap + nodePages(current.cpuset().mems()));
        }
        return new Constraint(OomConstraint.CONSTRAINT_NONE, all);
    }

    /** Seed: Σ node_spanned_pages; modern: Σ node_present_pages (modelled as managed pages). */
    private long nodePages(NodeMask mask) {
        long sum = 0;
        for (int nid : mask.nodes()) {
            if (nid < m.nodes().size()) {
                NumaNode n = m.node(nid);
                sum += m.profile() == Profile.SEED ? n.spannedPages() : n.managedPages();
            }
        }
        return sum;
    }

    // ------------------------------------------------------------------ eligibility and badness

    /** Mirrors {@code oom_unkillable_task} (v4.4; modern adds the cpuset test at its call sites). */
    public boolean oomUnkillableTask(Task p, Memcg memcg, NodeMask nodemask, Task current) {
        if (p.isGlobalInit() || p.has(TaskFlag.KTHREAD)) {
            return true;
        }
        if (memcg != null && !memcg.contains(p.memcg())) {
            return true;
        }
        return !hasIntersectsMemsAllowed(p, nodemask, current);
    }

    /**
     * Mirrors {@code has_intersects_mems_allowed} (seed) / {@code oom_cpuset_eligible} with
     * {@code mempolicy_in_oom_domain} (modern), over the task's threads.
     */
    public boolean hasIntersectsMemsAllowed(Task p, NodeMask nodemask, Task current) {
        for (Task t : m.tasks().threadGroup(p)) {
            if (!t.alive()) {
                continue;
            }
            if (nodemask != null) {
                Mempolicy pol = t.mempolicy();
                // v4.4 mempolicy_nodemask_intersects tests bind and interleave; v5.14+ mempolicy_in_oom_domain
                // tests bind only.
                boolean tested = pol.mode() == Mempolicy.Mode.BIND
                        || (pol.mode() == Mempolicy.Mode.INTERLEAVE && m.profile() == Profile.SEED);
                if (tested) {
                    if (pol.nodes().intersects(nodemask)) {
                        return true;
                    }
                } else {
                    return true;
                }
            } else if (t.cpuset().mems().intersects(current.cpuset().mems())) {
                return true;
            }
        }
        return false;
    }

    /** The points before adj and floor: rss (from every node's memory) + swapents + page tables. */
    long basePoints(Mm mm) {
        return m.rssPages(mm) + mm.swapents() + mm.nrPtes() + mm.nrPmds();
    }

    /**
     * Mirrors {@code oom_badness}. Seed: unsigned result, 0 for unkillable, no mm or adj -1000, root bonus, floor at 1.
     * Modern: signed, {@link #LONG_MIN} for unkillable (also reaped mm and vfork), no bonus, no floor.
     */
    public long oomBadness(Task p, Memcg memcg, NodeMask nodemask, long totalpages, Task current) {
        boolean seed = m.profile() == Profile.SEED;
        long unkillable = seed ? 0 : LONG_MIN;
        if (seed ? oomUnkillableTask(p, memcg, nodemask, current)
                : (p.isGlobalInit() || p.has(TaskFlag.KTHREAD))) {
            return unkillable;
        }
        Task t = m.tasks().findTaskMm(p);
        if (t == null) {
            return unkillable;
        }
        long adj = t.oomScoreAdj();
        if (adj == Task.OOM_SCORE_ADJ_MIN) {
            return unkillable;
        }
        if (!seed && (t.mm().oomSkip() || t.has(TaskFlag.VFORK))) {
            return unkillable;
        }
        long points = basePoints(t.mm());
        if (seed && t.capSysAdmin()) {
            points -= (points * 3) / 100;
        }
        adj *= totalpages / 1000;
        points += adj;
        if (seed) {
            return points > 0 ? points : 1;
        }
        return points;
    }

    /** The outcome of {@code select_bad_process}: the chosen task and its points, or an abort. */
    public record Selection(Task chosen, long points, boolean aborted) {
    }

    /**
     * Mirrors {@code select_bad_process} (v4.4 over threads; v6.1 over processes via {@code oom_evaluate_task}). Walks
     * the task list in place, skipping dead tasks: selection changes no task, so it needs no snapshot of the live ones.
     */
    public Selection selectBadProcess(OomControl oc, long totalpages, Task current, Memcg memcg) {
        return select(oc, totalpages, current, memcg, null);
    }

    /** {@link #selectBadProcess}, offering every evaluated task and its points to {@code top} when not null. */
    private Selection select(OomControl oc, long totalpages, Task current, Memcg memcg, TopCandidates top) {
        return m.profile() == Profile.SEED ? selectSeed(oc, totalpages, current, memcg, top)
                : selectModern(oc, totalpages, current, memcg, top);
    }

    private Selection selectSeed(OomControl oc, long totalpages, Task current, Memcg memcg, TopCandidates top) {
        Task chosen = null;
        long chosenPoints = 0;
        for (Task p : m.tasks().all()) {
            if (!p.alive()) {
                continue;
            }
            if (memcg != null && !memcg.contains(p.memcg())) {
                continue;
            }
            if (oomUnkillableTask(p, null, oc.nodemask(), current)) {
                continue;
            }
            if (p.has(TaskFlag.MEMDIE)) {
                return new Selection(null, 0, true);
            }
            if (p.mm() == null) {
                continue;
            }
            if (p.has(TaskFlag.OOM_ORIGIN)) {
                chosen = p;
                chosenPoints = ULONG_MAX;
                if (top != null) {
                    top.offer(p, ULONG_MAX);
                }
                continue;
            }
            if (p.willFreeMem()) {
                return new Selection(null, 0, true);
            }
            long points = oomBadness(p, memcg, oc.nodemask(), totalpages, current) & 0xffffffffL;
            if (top != null && points != 0) {
                top.offer(p, points);
            }
            if (points == 0 || Long.compareUnsigned(points, chosenPoints) < 0) {
                continue;
            }
            if (points == chosenPoints && chosen != null && chosen.isThreadGroupLeader()) {
                continue;
            }
            chosen = p;
            chosenPoints = points;
        }
        return new Selection(chosen, chosenPoints, false);
    }

    private Selection selectModern(OomControl oc, long totalpages, Task current, Memcg memcg, TopCandidates top) {
        Task chosen = null;
        long chosenPoints = LONG_MIN;
        for (Task p : m.tasks().all()) {
            if (!p.alive() || !p.isThreadGroupLeader()) {
                continue;
            }
            if (memcg != null && !memcg.contains(p.memcg())) {
                continue;
            }
            if (p.isGlobalInit() || p.has(TaskFlag.KTHREAD)) {
                continue;
            }
            if (memcg == null && !hasIntersectsMemsAllowed(p, oc.nodemask(), current)) {
                continue;
            }
            if (isOomVictim(p)) {
                Task withMm = m.tasks().findTaskMm(p);
                if (withMm != null && withMm.mm().oomSkip()) {
                    continue;
                }
                return new Selection(null, 0, true);
            }
            long points;
            if (p.has(TaskFlag.OOM_ORIGIN)) {
                points = Long.MAX_VALUE;
            } else {
                points = oomBadness(p, memcg, oc.nodemask(), totalpages, current);
                if (top != null && points != LONG_MIN) {
                    top.offer(p, points);
                }
                if (points == LONG_MIN || points < chosenPoints) {
                    continue;
                }
            }
            if (top != null && p.has(TaskFlag.OOM_ORIGIN)) {
                top.offer(p, points);
            }
            chosen = p;
            chosenPoints = points;
        }
        return new Selection(chosen, chosenPoints, false);
    }

    private boolean isOomVictim(Task p) {
        for (Task t : m.tasks().threadGroup(p)) {
            if (t.alive() && t.has(TaskFlag.MEMDIE)) {
                return true;
            }
        }
        return false;
    }

    /** Mirrors {@code __task_will_free_mem} + {@code task_will_free_mem} (v6.1): it and every mm sharer are dying. */
    boolean taskWillFreeMemModern(Task t) {
        if (t.mm() == null || t.mm().oomSkip()) {
            return false;
        }
        if (!dyingModern(t)) {
            return false;
        }
        for (Task p : m.tasks().users(t.mm())) {
            if (p.tgid() != t.tgid() && !dyingModern(p)) {
                return false;
            }
        }
        return true;
    }

    private static boolean dyingModern(Task t) {
        if (t.has(TaskFlag.COREDUMP_GROUP)) {
            return false;
        }
        return t.has(TaskFlag.FATAL_SIGNAL) || t.has(TaskFlag.EXITING);
    }

    /** Mirrors {@code mark_oom_victim}: sets TIF_MEMDIE. */
    void markOomVictim(Task t) {
        t.set(TaskFlag.MEMDIE, true);
    }

    /**
     * Mirrors {@code queue_oom_reaper} (v6.1): arms the victim's timer to expire {@code OOM_REAPER_DELAY} (the
     * machine's {@link Machine#oomReaperDelayMs}) from now, unless its mm is already queued (a task of it has a timer
     * pending) or already skipped. Without a clock there is no timer: the model cannot tell when it would fire.
     */
    void queueOomReaper(Task t) {
        Mm mm = t.mm();
        if (mm == null || m.nowMs() < 0 || mm.oomSkip()) {
            return;
        }
        for (Task q : m.tasks().all()) {
            if (q.mm() == mm && q.oomReapAtMs() != Task.NO_REAP) {
                return;
            }
        }
        t.setOomReapAtMs(m.nowMs() + m.oomReaperDelayMs());
    }

    /**
     * Mirrors the {@code oom_reaper} kthread woken by expired timers ({@code wake_oom_reaper}, {@code oom_reap_task},
     * {@code oom_reap_task_mm}): for every task whose timer expired by now, in task-list order, the anonymous pages of
     * its mm go back on every node and {@code MMF_OOM_SKIP} is set, so the next OOM search passes over the victim. An
     * mm already skipped, or gone with its exited task, is left alone and logs nothing. Returns the log lines.
     */
    public List<String> oomReaper() {
        KernelLog log = new KernelLog();
        if (m.nowMs() < 0) {
            return log.lines();
        }
        for (Task t : m.tasks().all()) {
            if (t.oomReapAtMs() == Task.NO_REAP || m.nowMs() < t.oomReapAtMs()) {
                continue;
            }
            t.setOomReapAtMs(Task.NO_REAP);
            Mm mm = t.mm();
            if (mm == null || mm.oomSkip()) {
                continue;
            }
            for (NumaNode node : m.nodes()) {
                m.memory(node.id()).reapMm(mm);
            }
            log.print("oom_reaper: reaped process " + t.pid() + " (" + t.comm() + "), now anon-rss:"
                    + OomReportFormat.kb(m.anonPages(mm)) + "kB, file-rss:" + OomReportFormat.kb(m.filePages(mm))
                    + "kB, shmem-rss:" + OomReportFormat.kb(mm.shmemPages()) + "kB");
            mm.setOomSkip(true);
            for (Task q : m.tasks().all()) {
                if (q.mm() == mm) {
                    q.markChanged();
                }
            }
        }
        return log.lines();
    }

    // ------------------------------------------------------------------ kill

    /** Mirrors {@code oom_kill_process} (seed with the child rule; modern {@code __oom_kill_process}). */
    void oomKillProcess(OomControl oc, Call call, Task p, long points, long totalpages, String message, Task current,
            KernelLog log) {
        boolean seed = m.profile() == Profile.SEED;
        if (seed ? (p.mm() != null && p.willFreeMem()) : taskWillFreeMemModern(p)) {
            markOomVictim(p);
            if (!seed) {
                queueOomReaper(p);
            }
            call.killed.add(p.pid());
            return;
        }
        if (m.oomReportRatelimit().allow(m.nowMs())) {
            dumpHeader(oc, seed ? null : p, current, log);
        }
        String chosenLine = format().chosenLine(message, p, points);
        if (chosenLine != null) {
            log.print(chosenLine);
        }
        Task victim = p;
        if (m.profile().sacrificeChild()) {
            long victimPoints = 0;
            Memcg memcg = oc.memcg() == null ? null : m.memcg(oc.memcg());
            for (Task t : m.tasks().threads(p)) {
                for (int childPid : t.children()) {
                    Task child = m.tasks().get(childPid);
                    if (child == null || !child.alive() || child.mm() == p.mm()) {
                        continue;
                    }
                    long childPoints = oomBadness(child, memcg, oc.nodemask(), totalpages, current) & 0xffffffffL;
                    if (childPoints > victimPoints) {
                        victim = child;
                        victimPoints = childPoints;
                    }
                }
            }
        }
        Memcg oomGroup = seed ? null : memcgGetOomGroup(victim, oc.memcg());
        killVictim(call, victim, message, log, true);
        if (oomGroup != null) {
            // mem_cgroup_print_oom_group, then mem_cgroup_scan_tasks(oom_group, oom_kill_memcg_member): every process
            // of the group's subtree, the victim again included, unless OOM_SCORE_ADJ_MIN or global init.
            log.print("Tasks in " + oomGroup.name() + " are going to be killed due to memory.oom.group set");
            for (Task q : m.tasks().live()) {
                if (q.isThreadGroupLeader() && oomGroup.contains(q.memcg())
                        && q.oomScoreAdj() != Task.OOM_SCORE_ADJ_MIN && !q.isGlobalInit()) {
                    killVictim(call, q, message, log, false);
                }
            }
        }
    }

    /**
     * Mirrors {@code mem_cgroup_get_oom_group} (v6.1 mm/memcontrol.c): from the victim's memcg up to the OOM's memcg
     * ({@code oomDomain}; the root for a global OOM), the highest memcg with {@code memory.oom.group} set, or null. A
     * victim in the root memcg, or outside the OOM's memcg, has none. Ancestors the scenario does not list have it
     * unset.
     */
    Memcg memcgGetOomGroup(Task victim, String oomDomain) {
        String name = victim.memcg();
        if (name == null || name.equals("/")) {
            return null;
        }
        Memcg domain = oomDomain == null ? null : m.memcg(oomDomain);
        if (domain != null && !domain.contains(name)) {
            return null;
        }
        Memcg oomGroup = null;
        for (String path = name; !path.isEmpty(); path = path.substring(0, path.lastIndexOf('/'))) {
            Memcg memcg = m.memcg(path);
            if (memcg != null && memcg.oomGroup()) {
                oomGroup = memcg;
            }
            if (path.equals(oomDomain)) {
                break;
            }
        }
        return oomGroup;
    }

    /**
     * Mirrors {@code __oom_kill_process} (modern; the seed's tail of {@code oom_kill_process}): SIGKILL and TIF_MEMDIE
     * for {@code victim} (a thread of it with an mm), its kill line, SIGKILL for the processes sharing its mm.
     * {@code primary}: the chosen victim, whose rss the report carries (a memory.oom.group member is not).
     */
    private void killVictim(Call call, Task victim, String message, KernelLog log, boolean primary) {
        boolean seed = m.profile() == Profile.SEED;
        Task withMm = m.tasks().findTaskMm(victim);
        if (withMm == null) {
            if (!seed) {
                log.print(message + ": OOM victim " + victim.pid() + " (" + victim.comm()
                        + ") is already exiting. Skip killing the task");
            }
            return;
        }
        victim = withMm;
        Mm mm = victim.mm();
        boolean canOomReap = true;
        if (!seed) {
            for (Task t : m.tasks().threads(victim)) {
                t.sendSigkill();
            }
        }
        markOomVictim(victim);
        victim.setKilled();
        if (!call.killed.contains(victim.pid())) {
            call.killed.add(victim.pid());
        }
        OomReport.Victim rss = victimRss(victim, mm);
        if (primary) {
            call.victim = rss;
        }
        long anon = 0;
        long file = 0;
        for (OomReport.NodeRss r : rss.rss()) {
            anon += r.anonPages();
            file += r.filePages();
        }
        log.print(format().killedLine(message, victim, anon, file));
        for (Task q : m.tasks().live()) {
            if (!q.isThreadGroupLeader() || q.tgid() == victim.tgid()) {
                continue;
            }
            Task qm = m.tasks().findTaskMm(q);
            if (qm == null || qm.mm() != mm) {
                continue;
            }
            if (seed) {
                if (q.has(TaskFlag.KTHREAD) || q.oomScoreAdj() == Task.OOM_SCORE_ADJ_MIN
                        || q.isGlobalInit()) {
                    continue;
                }
                log.print("Kill process " + q.pid() + " (" + q.comm() + ") sharing same memory");
            } else {
                if (q.isGlobalInit()) {
                    canOomReap = false;
                    mm.setOomSkip(true);
                    log.print("oom killer " + victim.pid() + " (" + victim.comm() + ") has mm pinned by " + q.pid()
                            + " (" + q.comm() + ")");
                    continue;
                }
                if (q.has(TaskFlag.KTHREAD)) {
                    continue;
                }
            }
            for (Task thread : m.tasks().threads(q)) {
                thread.sendSigkill();
            }
            call.signalled.add(q.pid());
        }
        if (seed) {
            for (Task t : m.tasks().threads(victim)) {
                t.sendSigkill();
            }
        } else if (canOomReap) {
            queueOomReaper(victim);
        }
    }

    /** The victim's resident pages per node, read once for the kill line and the report (get_mm_counter per node). */
    private OomReport.Victim victimRss(Task victim, Mm mm) {
        List<OomReport.NodeRss> rss = new ArrayList<>();
        for (NumaNode node : m.nodes()) {
            rss.add(new OomReport.NodeRss(node.id(), m.memory(node.id()).anonPages(mm), m.memory(node.id())
                    .filePages(mm)));
        }
        return new OomReport.Victim(victim.pid(), victim.comm(), victim.uid(), rss);
    }

    private OomReportFormat format() {
        return OomReportFormat.of(m.profile());
    }

    // ------------------------------------------------------------------ reports

    /** Mirrors {@code dump_header}: header lines, then the task dump (modern: then the one-line summary). */
    void dumpHeader(OomControl oc, Task victim, Task current, KernelLog log) {
        Profile profile = m.profile();
        format().header(current, oc.gfp().headerText(profile), oc.order()).forEach(log::print);
        if (m.sysctl().oomDumpTasks() == 1) {
            dumpTasks(oc, current, log);
        }
        if (profile == Profile.MODERN && victim != null) {
            String memcgPart = oc.memcg() == null ? ",global_oom" : ",oom_memcg=" + oc.memcg();
            log.print("oom-kill:constraint=" + constraintText(oc, current) + ",nodemask="
                    + (oc.nodemask() == null ? "(null)" : oc.nodemask().rangeList()) + ",cpuset="
                    + current.cpuset().cgroupName() + ",mems_allowed=" + current.cpuset().mems().rangeList()
                    + memcgPart + ",task_memcg=" + (victim.memcg() == null ? "/" : victim.memcg()) + ",task="
                    + victim.comm() + ",pid=" + victim.pid() + ",uid=" + victim.uid());
        }
    }

    private String constraintText(OomControl oc, Task current) {
        if (oc.memcg() != null) {
            return OomConstraint.CONSTRAINT_MEMCG.name();
        }
        if (oc.nodemask() != null) {
            return OomConstraint.CONSTRAINT_MEMORY_POLICY.name();
        }
        return constrainedAlloc(oc, current).constraint().name();
    }

    /** Mirrors {@code dump_tasks}: one row per eligible process with an mm, in the profile's printf layout. */
    void dumpTasks(OomControl oc, Task current, KernelLog log) {
        boolean seed = m.profile() == Profile.SEED;
        Memcg memcg = oc.memcg() == null ? null : m.memcg(oc.memcg());
        format().dumpTasksHeader().forEach(log::print);
        for (Task p : m.tasks().live()) {
            if (!p.isThreadGroupLeader()) {
                continue;
            }
            if (seed) {
                if (oomUnkillableTask(p, memcg, oc.nodemask(), current)) {
                    continue;
                }
            } else {
                if (p.isGlobalInit() || p.has(TaskFlag.KTHREAD)) {
                    continue;
                }
                if (memcg != null ? !memcg.contains(p.memcg()) : !hasIntersectsMemsAllowed(p, oc.nodemask(), current)) {
                    continue;
                }
            }
            Task t = m.tasks().findTaskMm(p);
            if (t == null) {
                continue;
            }
            log.print(dumpTaskRow(t));
        }
    }

    /** One row of {@code dump_tasks} in the profile's printf layout (seed {@code [%5d] %5d %5d %8lu …}). */
    public String dumpTaskRow(Task t) {
        return format().dumpTaskRow(t, m.rssPages(t.mm()));
    }

    // ------------------------------------------------------------------ memcg OOM (§10f)

    /** Mirrors {@code mem_cgroup_out_of_memory} (v4.4) / {@code out_of_memory} with {@code oc.memcg} (v6.1). */
    public OomOutcome memcgOutOfMemory(Task current, Memcg memcg, GfpFlags gfp, int order, KernelLog log) {
        Call call = new Call();
        call.memcg = memcg.name();
        OomControl oc = new OomControl(null, null, gfp, order, memcg.name());
        int mark = log.size();
        OomOutcome outcome = memcgOutOfMemory(call, oc, current, memcg, log);
        report(call, outcome, oc, current, log, mark);
        return outcome;
    }

    private OomOutcome memcgOutOfMemory(Call call, OomControl oc, Task current, Memcg memcg, KernelLog log) {
        boolean seed = m.profile() == Profile.SEED;
        if (m.oomKillerDisabled()) {
            return call.outcome(false);
        }
        if (seed ? (current.has(TaskFlag.FATAL_SIGNAL) || current.willFreeMem()) : taskWillFreeMemModern(current)) {
            markOomVictim(current);
            if (!seed) {
                queueOomReaper(current);
            }
            return call.outcome(true);
        }
        call.constraint = OomConstraint.CONSTRAINT_MEMCG;
        long limit = memcg.limitPages();
        if (memcg.swappiness() != 0) {
            limit = Math.min(limit + m.totalSwapPages(), memcg.memswLimitPages());
        }
        long totalpages = limit == 0 ? 1 : limit;
        call.totalpages = totalpages;
        if (m.sysctl().panicOnOom() == 2) {
            dumpHeader(oc, null, current, log);
            panic(call, "Out of memory: compulsory panic_on_oom is enabled", log);
            return call.outcome(false);
        }
        call.top = new TopCandidates(seed);
        Selection sel = select(oc, totalpages, current, memcg, call.top);
        call.selected = sel.chosen();
        if (sel.aborted()) {
            call.aborted = true;
            return call.outcome(true);
        }
        if (sel.chosen() == null) {
            if (!seed) {
                dumpHeader(oc, null, current, log);
                log.print("Out of memory and no killable processes...");
            }
            return call.outcome(false);
        }
        long score = reportedScore(sel.points(), totalpages);
        call.chosen = new Chosen(sel.chosen().pid(), sel.chosen().comm(), sel.points(), score, seed);
        oomKillProcess(oc, call, sel.chosen(), score, totalpages, "Memory cgroup out of memory", current, log);
        return call.outcome(true);
    }

    // ------------------------------------------------------------------ /proc/PID/oom_score

    /** Mirrors {@code proc_oom_score} (seed §12, modern §13), read from the root cpuset. */
    public long oomScore(Task t) {
        long totalpages = m.totalramPages() + m.totalSwapPages();
        if (!t.alive()) {
            return 0;
        }
        Task reader = rootReader(t);
        long badness = oomBadness(t, null, null, totalpages, reader);
        if (m.profile() == Profile.SEED) {
            return Long.divideUnsigned(badness * 1000, totalpages);
        }
        if (badness == LONG_MIN) {
            return 0;
        }
        return (1000 + badness * 1000 / totalpages) * 2 / 3;
    }

    private Task rootReader(Task like) {
        return new Task(Integer.MAX_VALUE, Integer.MAX_VALUE, "cat", 0, 0, null, 0, false,
                m.tasks().cpuset(dev.oomsim.kernel.task.Cpuset.ROOT), Mempolicy.DEFAULT, null, java.util.Set.of());
    }
}
