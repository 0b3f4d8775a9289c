package dev.oomsim.kernel.image;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.oomsim.kernel.task.OomScoreAdjRange;
import dev.oomsim.kernel.task.TaskFlag;

/**
 * Mirrors the mutable part of one {@code struct task_struct}: liveness, which mm it still uses ({@link #NO_MM} after
 * exit, or for kernel threads), {@code signal->oom_score_adj}, the flag bits (TIF_MEMDIE, PF_EXITING,
 * fatal_signal_pending, ...), whether an OOM kill chose it, a pending SIGKILL, {@code il_next} of an interleave
 * policy (-1 before the first interleaved allocation), its children and when its oom_reaper timer expires (-1: none
 * pending). Identity, comm, uid, parent, cpuset,
 * mempolicy and memcg are fixed at boot and come from the machine file.
 */
public record TaskImage(int pid, boolean alive, int mmId, int oomScoreAdj, Set<TaskFlag> flags, boolean killed,
        boolean sigkillPending, int interleaveNext, List<Integer> children, long oomReapAtMs) {

    /** The {@link #mmId} of a task without an mm (mm ids are the owners' pids, so > 0). */
    public static final int NO_MM = 0;

    /** Copies the collections and validates the fields. */
    public TaskImage {
        if (pid <= 0) {
            throw new IllegalArgumentException("task pid: must be > 0, got " + pid);
        }
        if (mmId < 0) {
            throw new IllegalArgumentException("task " + pid + " mm: must be >= 0 (" + NO_MM + " for none), got "
                    + mmId);
        }
        if (flags == null || children == null) {
            throw new IllegalArgumentException("task " + pid + ": flags and children must be set");
        }
        OomScoreAdjRange.require(oomScoreAdj, "task " + pid + " ");
        if (oomReapAtMs < -1) {
            throw new IllegalArgumentException("task " + pid + " oomReapAtMs: must be >= -1, got " + oomReapAtMs);
        }
        // In TaskFlag order whatever set it came as, so an image reads (and encodes) the same after a round trip.
        EnumSet<TaskFlag> ordered = EnumSet.noneOf(TaskFlag.class);
        ordered.addAll(flags);
        flags = Collections.unmodifiableSet(ordered);
        children = List.copyOf(children);
    }

    /** True when the task still uses an mm. */
    public boolean hasMm() {
        return mmId != NO_MM;
    }
}
