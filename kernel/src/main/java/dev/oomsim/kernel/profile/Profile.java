package dev.oomsim.kernel.profile;

/**
 * Which kernel the model reproduces: {@link #SEED} is Linux v4.4, {@link #MODERN} is v6.1 (docs/kernel-model.md §13).
 * Behaviour that differs between them is asked of the profile by name, so the difference is visible in one place.
 */
public enum Profile {
    /** Linux v4.4: REPEAT-based retries, child sacrifice, root bonus, badness floor at 1. */
    SEED,
    /** Linux v6.1: should_reclaim_retry, signed badness, no child rule, ALLOC_OOM, decoded gfp in the header. */
    MODERN;

    /** Parses the scenario spelling ({@code seed} or {@code modern}). */
    public static Profile parse(String name) {
        return switch (name) {
            case "seed" -> SEED;
            case "modern" -> MODERN;
            default -> throw new IllegalArgumentException("profile: expected seed or modern, got " + name);
        };
    }

    /** The scenario spelling. */
    public String scenarioName() {
        return this == SEED ? "seed" : "modern";
    }

    /**
     * Whether {@code __GFP_FS} is tested in {@code __alloc_pages_may_oom} (seed) rather than in {@code out_of_memory}.
     */
    public boolean fsTestInMayOom() {
        return this == SEED;
    }

    /** Whether the oom_badness root bonus (3% for CAP_SYS_ADMIN) and the floor at 1 apply. */
    public boolean rootBonusAndFloor() {
        return this == SEED;
    }

    /** Whether oom_kill_process sacrifices a child for its parent (removed in v5.1). */
    public boolean sacrificeChild() {
        return this == SEED;
    }

    /** Whether a badness tie keeps the earlier process (seed) or selects the later one (modern). */
    public boolean tieKeepsEarlier() {
        return this == SEED;
    }

    /**
     * Whether the watermark check indexes lowmem_reserve by the request's highest zone (v5.8+) instead of the preferred
     * zone.
     */
    public boolean reserveByHighestZoneidx() {
        return this == MODERN;
    }

    /** Upper clamp of the computed min_free_kbytes (65536 in v4.4, 262144 since v5.7). */
    public long minFreeKbytesCeiling() {
        return this == SEED ? 65536 : 262144;
    }
}
