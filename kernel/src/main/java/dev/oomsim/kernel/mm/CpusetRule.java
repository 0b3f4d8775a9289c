package dev.oomsim.kernel.mm;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;

/**
 * The cpuset rule that both {@code get_page_from_freelist} ({@link PageAllocator}) and {@code constrained_alloc}
 * (the OOM killer) apply, in one place so neither imports the other for it.
 */
public final class CpusetRule {
    private final Machine m;

    /** The rule over {@code machine}'s tasks and cpusets. */
    public CpusetRule(Machine machine) {
        this.m = machine;
    }

    /** Mirrors {@code __cpuset_node_allowed}, kernel/cpuset.c (no interrupt context in the model). */
    public boolean nodeAllowed(int node, GfpFlags gfp, Task t) {
        if (!m.tasks().cpusetsEnabled()) {
            return true;
        }
        if (t.cpuset().mems().contains(node)) {
            return true;
        }
        if (t.has(TaskFlag.MEMDIE)) {
            return true;
        }
        if (gfp.has(GfpFlags.HARDWALL)) {
            return false;
        }
        if (t.has(TaskFlag.EXITING)) {
            return true;
        }
        return m.tasks().nearestHardwallAncestor(t.cpuset()).mems().contains(node);
    }
}
