package dev.oomsim.kernel.task;

/**
 * A memory cgroup (docs/kernel-model.md §10f): limit and memsw limit in pages, swappiness, {@code memory.oom.group}
 * (cgroup v2: an OOM kill in it kills its whole subtree) and {@code oom_kill_disable} (cgroup v1
 * {@code memory.oom_control}: no OOM kill for its own charges).
 */
public record Memcg(String name, long limitPages, long memswLimitPages, int swappiness, boolean oomGroup,
        boolean oomKillDisable) {

    /** Validates the fields. */
    public Memcg {
        if (oomGroup && oomKillDisable) {
            throw new IllegalArgumentException("memcg " + name + ": oom_group (cgroup v2) and oom_kill_disable"
                    + " (cgroup v1) cannot both be set");
        }
        if (name == null || !name.startsWith("/")) {
            throw new IllegalArgumentException("memcg name: must start with /, got " + name);
        }
        if (limitPages < 0) {
            throw new IllegalArgumentException("memcg limit_pages: must be >= 0, got " + limitPages);
        }
        if (memswLimitPages < 0) {
            throw new IllegalArgumentException("memcg memsw_limit_pages: must be >= 0, got " + memswLimitPages);
        }
        if (swappiness < 0 || swappiness > 200) {
            throw new IllegalArgumentException("memcg swappiness: expected 0..200, got " + swappiness);
        }
    }

    /** True when {@code other} is this memcg or lies below it. */
    public boolean contains(String other) {
        return other != null && (other.equals(name) || name.equals("/") || other.startsWith(name + "/"));
    }
}
