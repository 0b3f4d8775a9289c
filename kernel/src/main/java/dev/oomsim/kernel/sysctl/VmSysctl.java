package dev.oomsim.kernel.sysctl;

import java.util.List;

/**
 * The {@code vm.*} sysctls the model reads (docs/kernel-model.md §3). {@code minFreeKbytes} is the effective value
 * (boot formula or a scenario override); {@code lowmemReserveRatio} has one entry per zone below the top one (or more).
 */
public record VmSysctl(long minFreeKbytes, int panicOnOom, int oomKillAllocatingTask, int oomDumpTasks,
        List<Long> lowmemReserveRatio, long watermarkScaleFactor) {

    /** Validates every field, naming it. */
    public VmSysctl {
        if (minFreeKbytes < 0) {
            throw new IllegalArgumentException("min_free_kbytes: must be >= 0, got " + minFreeKbytes);
        }
        if (panicOnOom < 0 || panicOnOom > 2) {
            throw new IllegalArgumentException("panic_on_oom: expected 0, 1 or 2, got " + panicOnOom);
        }
        if (oomKillAllocatingTask < 0 || oomKillAllocatingTask > 1) {
            throw new IllegalArgumentException("oom_kill_allocating_task: expected 0 or 1, got "
                    + oomKillAllocatingTask);
        }
        if (oomDumpTasks < 0 || oomDumpTasks > 1) {
            throw new IllegalArgumentException("oom_dump_tasks: expected 0 or 1, got " + oomDumpTasks);
        }
        lowmemReserveRatio = List.copyOf(lowmemReserveRatio);
        for (long r : lowmemReserveRatio) {
            if (r < 0) {
                throw new IllegalArgumentException("lowmem_reserve_ratio: entries must be >= 0, got " + r);
            }
        }
        if (watermarkScaleFactor < 1 || watermarkScaleFactor > 3000) {
            throw new IllegalArgumentException("watermark_scale_factor: expected 1..3000, got " + watermarkScaleFactor);
        }
    }

    /** Mirrors {@code vm.min_free_kbytes}. */
    public long minFreeKbytes() {
        return minFreeKbytes;
    }

    /** Mirrors {@code vm.panic_on_oom}. */
    public int panicOnOom() {
        return panicOnOom;
    }

    /** The ratio array as primitives. */
    public long[] lowmemReserveRatioArray() {
        long[] out = new long[lowmemReserveRatio.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = lowmemReserveRatio.get(i);
        }
        return out;
    }
}
