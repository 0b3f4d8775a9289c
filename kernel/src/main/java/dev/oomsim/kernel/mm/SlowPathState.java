package dev.oomsim.kernel.mm;

import java.util.ArrayList;
import java.util.List;

import dev.oomsim.kernel.KernelLog;
import dev.oomsim.kernel.oom.OomOutcome;

/**
 * The state of one allocation as it moves through the slow path, kept in an object (not locals) so the path can be
 * driven step by step or resumed elsewhere: gfp as the slow path sees it, the alloc context, alloc flags, retries,
 * {@code pages_reclaimed}, the modern retry counters, the path so far, the log, and the counters the result reports.
 * Mutable; owned by the allocating thread.
 */
public final class SlowPathState {
    final AllocRequest request;
    GfpFlags gfp;
    final int order;
    final AllocContext ac;
    int allocFlags;
    int retries;
    long pagesReclaimed;
    int noProgressLoops;
    /** {@code compact_priority}: the v6.1 slow path sets DEF_COMPACT_PRIORITY (SYNC_LIGHT = 1) at restart:. */
    int compactPriority = 1;
    int mayOomCalls;
    int reclaimPasses;
    Integer lastDidSomeProgress;
    final List<OomOutcome> oomCalls = new ArrayList<>();
    final List<String> path = new ArrayList<>();
    final KernelLog log;
    String panic;
    CompactionModel.CompactResult lastCompactResult;
    Page page;

    SlowPathState(AllocRequest request, GfpFlags gfp, AllocContext ac, KernelLog log) {
        this.request = request;
        this.gfp = gfp;
        this.order = request.order();
        this.ac = ac;
        this.log = log;
    }

    /** The gfp the slow path works with. */
    public GfpFlags gfp() {
        return gfp;
    }

    /** The alloc context. */
    public AllocContext ac() {
        return ac;
    }

    /** Retries taken so far. */
    public int retries() {
        return retries;
    }

    /** Mirrors {@code pages_reclaimed}. */
    public long pagesReclaimed() {
        return pagesReclaimed;
    }

    /** Mirrors {@code no_progress_loops} (modern). */
    public int noProgressLoops() {
        return noProgressLoops;
    }

    /** The path so far. */
    public List<String> path() {
        return List.copyOf(path);
    }

    /** Freezes the state into a trace. */
    AllocTrace toTrace() {
        return new AllocTrace(page, lastDidSomeProgress, mayOomCalls, reclaimPasses, oomCalls, panic, log.lines(),
                path);
    }
}
