package dev.oomsim.kernel.task;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.oomsim.kernel.image.TaskImage;

/** Mirrors the parts of {@code struct task_struct} the model uses. Mutable; owned by the {@link TaskTable}'s thread. */
public final class Task {
    /** The {@link #oomReapAtMs} of a task whose oom_reaper timer is not pending. */
    public static final long NO_REAP = -1;

    /** Scenario's OOM_SCORE_ADJ_MIN. */
    public static final int OOM_SCORE_ADJ_MIN = OomScoreAdjRange.MIN;
    /** OOM_SCORE_ADJ_MAX. */
    public static final int OOM_SCORE_ADJ_MAX = OomScoreAdjRange.MAX;

    private final int pid;
    private final int tgid;
    private final String comm;
    private final int uid;
    private final int parentPid;
    private final List<Integer> children = new ArrayList<>();
    private Mm mm;
    private int oomScoreAdj;
    private final boolean capSysAdmin;
    private final Cpuset cpuset;
    private final Mempolicy mempolicy;
    private final String memcg;
    private final Set<TaskFlag> flags;
    private boolean alive = true;
    private boolean killed;
    private boolean sigkillPending;
    private int ilNext = -1;
    /** {@code tsk->oom_reaper_timer.expires} in logical ms, or {@link #NO_REAP} when no timer is pending. */
    private long oomReapAtMs = NO_REAP;
    private Runnable onChange = () -> { };
    private List<Task> threadGroup;

    /** A live task. */
    public Task(int pid, int tgid, String comm, int uid, int parentPid, Mm mm, int oomScoreAdj, boolean capSysAdmin,
            Cpuset cpuset, Mempolicy mempolicy, String memcg, Set<TaskFlag> flags) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid: must be > 0, got " + pid);
        }
        if (comm == null || comm.isEmpty() || comm.length() > 15) {
            throw new IllegalArgumentException("comm: must be 1..15 characters, got " + comm);
        }
        OomScoreAdjRange.require(oomScoreAdj, "");
        this.pid = pid;
        this.tgid = tgid;
        this.comm = comm;
        this.uid = uid;
        this.parentPid = parentPid;
        this.mm = mm;
        this.oomScoreAdj = oomScoreAdj;
        this.capSysAdmin = capSysAdmin;
        this.cpuset = cpuset;
        this.mempolicy = mempolicy;
        this.memcg = memcg;
        this.flags = flags.isEmpty() ? EnumSet.noneOf(TaskFlag.class) : EnumSet.copyOf(flags);
    }

    public int pid() {
        return pid;
    }

    public int tgid() {
        return tgid;
    }

    /** Mirrors {@code thread_group_leader}. */
    public boolean isThreadGroupLeader() {
        return pid == tgid;
    }

    /** The thread group this task joined when added to the {@link TaskTable} (shared, creation order), or null. */
    List<Task> threadGroup() {
        return threadGroup;
    }

    /** Set once by {@link TaskTable#add}: the list of every thread of this task's tgid, this one included. */
    void joinThreadGroup(List<Task> group) {
        this.threadGroup = group;
    }

    public String comm() {
        return comm;
    }

    public int uid() {
        return uid;
    }

    /** Parent pid, 0 when none. */
    public int parentPid() {
        return parentPid;
    }

    /** Children pids, oldest first. */
    public List<Integer> children() {
        return children;
    }

    /** The mm, or null (kernel threads, exited tasks, no_mm). */
    public Mm mm() {
        return mm;
    }

    /** Drops the mm (exit). */
    public void clearMm() {
        onChange.run();
        this.mm = null;
    }

    public int oomScoreAdj() {
        return oomScoreAdj;
    }

    /** Sets oom_score_adj, validated. */
    public void setOomScoreAdj(int adj) {
        onChange.run();
        OomScoreAdjRange.require(adj, "");
        this.oomScoreAdj = adj;
    }

    public boolean capSysAdmin() {
        return capSysAdmin;
    }

    public Cpuset cpuset() {
        return cpuset;
    }

    public Mempolicy mempolicy() {
        return mempolicy;
    }

    /** The memcg path, or null when the task is in the root memcg. */
    public String memcg() {
        return memcg;
    }

    /** True when the flag is set. */
    public boolean has(TaskFlag flag) {
        return flags.contains(flag);
    }

    /** Sets or clears a flag. */
    public void set(TaskFlag flag, boolean value) {
        onChange.run();
        if (value) {
            flags.add(flag);
        } else {
            flags.remove(flag);
        }
    }

    /** Mirrors {@code is_global_init}: the flag, or thread group id 1. */
    public boolean isGlobalInit() {
        return tgid == 1 || has(TaskFlag.GLOBAL_INIT);
    }

    /** Mirrors {@code task_will_free_mem} (v4.4): exiting and not core-dumping. */
    public boolean willFreeMem() {
        return has(TaskFlag.EXITING) && !has(TaskFlag.COREDUMP_GROUP);
    }

    /** True until the task exits. */
    public boolean alive() {
        return alive;
    }

    /** Marks the task exited. */
    public void setDead() {
        onChange.run();
        this.alive = false;
    }

    /** True when an OOM kill chose this task as victim. */
    public boolean killed() {
        return killed;
    }

    /** Records that an OOM kill chose it. */
    public void setKilled() {
        onChange.run();
        this.killed = true;
    }

    /** SIGKILL was sent and the task has not exited yet. */
    public boolean sigkillPending() {
        return sigkillPending;
    }

    /** Sends SIGKILL (fatal_signal_pending becomes true). */
    public void sendSigkill() {
        onChange.run();
        this.sigkillPending = true;
        set(TaskFlag.FATAL_SIGNAL, true);
    }

    /** Mirrors {@code current->il_next} of an interleave policy: the next node, advancing round-robin. */
    public int nextInterleaveNode() {
        onChange.run();
        java.util.List<Integer> nodes = mempolicy.nodes().nodes();
        if (ilNext < 0) {
            ilNext = nodes.get(0);
        }
        int nid = ilNext;
        int idx = nodes.indexOf(nid);
        ilNext = nodes.get((idx + 1) % nodes.size());
        return nid;
    }

    /**
     * When the oom_reaper timer {@code queue_oom_reaper} armed for this victim expires, in logical ms; {@link #NO_REAP}
     * when none is pending.
     */
    public long oomReapAtMs() {
        return oomReapAtMs;
    }

    /** Arms ({@code atMs} ≥ 0) or disarms ({@link #NO_REAP}) the oom_reaper timer. */
    public void setOomReapAtMs(long atMs) {
        if (atMs < NO_REAP) {
            throw new IllegalArgumentException("oomReapAtMs: must be >= -1, got " + atMs);
        }
        onChange.run();
        this.oomReapAtMs = atMs;
    }

    /** Tells the task's table that its state changed through its mm (the mm's {@code MMF_OOM_SKIP}). */
    public void markChanged() {
        onChange.run();
    }

    /** Who hears of every change of this task's mutable state (its {@link TaskTable}). */
    void onChange(Runnable listener) {
        this.onChange = listener;
    }

    /** {@code il_next} as it stands (-1 before the first interleaved allocation): for copies of the task table. */
    public int interleaveNext() {
        return ilNext;
    }

    /** Sets {@code il_next}: another copy of the task table (a node agent's) advanced it. */
    public void setInterleaveNext(int node) {
        onChange.run();
        this.ilNext = node;
    }

    /** An image of the task's mutable state (see {@link TaskImage}). */
    public TaskImage captureImage() {
        return new TaskImage(pid, alive, mm == null ? TaskImage.NO_MM : mm.id(), oomScoreAdj, flags, killed,
                sigkillPending, ilNext, children, oomReapAtMs);
    }

    /**
     * Throws unless {@code image} is of this task and {@code imageMm} (the mm the image names, found by the caller;
     * null for {@link TaskImage#NO_MM}) is that mm and the one this task uses, if it still uses one.
     */
    public void requireFits(TaskImage image, Mm imageMm) {
        if (image.pid() != pid) {
            throw new IllegalArgumentException("task " + pid + ": the image is of pid " + image.pid());
        }
        if ((imageMm == null) == image.hasMm() || (imageMm != null && imageMm.id() != image.mmId())
                || (imageMm != null && mm != null && mm != imageMm)) {
            throw new IllegalArgumentException("task " + pid + ": the image uses mm " + image.mmId() + ", this task "
                    + (mm == null ? "none" : "mm " + mm.id()));
        }
    }

    /** Overwrites the task's mutable state with {@code image}'s, after {@link #requireFits} (which it calls). */
    public void restoreImage(TaskImage image, Mm imageMm) {
        requireFits(image, imageMm);
        onChange.run();
        mm = imageMm;
        alive = image.alive();
        oomScoreAdj = image.oomScoreAdj();
        flags.clear();
        flags.addAll(image.flags());
        killed = image.killed();
        sigkillPending = image.sigkillPending();
        ilNext = image.interleaveNext();
        oomReapAtMs = image.oomReapAtMs();
        children.clear();
        children.addAll(image.children());
    }

    @Override
    public String toString() {
        return pid + " (" + comm + ")";
    }
}
