package dev.oomsim.coordinator;

import java.util.List;

/**
 * The furthest step an allocation's {@code path} reached (docs/coordinator.md, "Allocation outcomes by path"): a
 * request counts once, under the first of nopage, may_oom, reclaim, slow path that its path has, else fast path.
 */
enum PathClass {
    FAST_PATH, SLOW_PATH, RECLAIM, MAY_OOM, NOPAGE;

    static PathClass of(List<? extends CharSequence> path) {
        boolean slow = false;
        boolean reclaim = false;
        boolean mayOom = false;
        for (CharSequence s : path) {
            String step = s.toString();
            if (step.equals("nopage")) {
                return NOPAGE;
            }
            mayOom |= step.startsWith("may_oom:");
            reclaim |= step.startsWith("reclaim:");
            slow |= step.equals("fastpath:fail");
        }
        return mayOom ? MAY_OOM : reclaim ? RECLAIM : slow ? SLOW_PATH : FAST_PATH;
    }

    /** Retries: the path's {@code retry} steps. */
    static int retries(List<? extends CharSequence> path) {
        int n = 0;
        for (CharSequence s : path) {
            if (s.toString().equals("retry")) {
                n++;
            }
        }
        return n;
    }
}
