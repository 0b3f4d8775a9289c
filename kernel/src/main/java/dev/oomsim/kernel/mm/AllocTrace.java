package dev.oomsim.kernel.mm;

import java.util.List;

import dev.oomsim.kernel.oom.OomOutcome;

/**
 * Everything one allocation reports (docs/scenario-format.md): the page or null, {@code did_some_progress} of the last
 * mayOom call (null when it never ran), how many mayOom calls and reclaim passes ran, every {@code out_of_memory}
 * call, a panic text, the log lines and the path of steps.
 */
public record AllocTrace(Page page, Integer didSomeProgress, int mayOomCalls, int reclaimPasses,
        List<OomOutcome> oomCalls, String panic, List<String> log, List<String> path) {

    /** Copies the lists. */
    public AllocTrace {
        oomCalls = List.copyOf(oomCalls);
        log = List.copyOf(log);
        path = List.copyOf(path);
    }

    private static final List<String> FAST_PATH_OK = List.of("fastpath:ok");

    /** The trace of an allocation the fast path served: no slow path, no OOM call, no log, path {@code fastpath:ok}. */
    static AllocTrace fastPathOk(Page page) {
        return new AllocTrace(page, null, 0, 0, List.of(), null, List.of(), FAST_PATH_OK);
    }

    /** The last {@code out_of_memory} call, or null. */
    public OomOutcome lastOom() {
        return oomCalls.isEmpty() ? null : oomCalls.get(oomCalls.size() - 1);
    }
}
