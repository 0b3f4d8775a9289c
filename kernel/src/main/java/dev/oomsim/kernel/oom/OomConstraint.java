package dev.oomsim.kernel.oom;

/** Mirrors {@code enum oom_constraint}, mm/oom_kill.c. */
public enum OomConstraint {
    CONSTRAINT_NONE, CONSTRAINT_CPUSET, CONSTRAINT_MEMORY_POLICY, CONSTRAINT_MEMCG
}
