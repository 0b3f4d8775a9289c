package dev.oomsim.kernel.task;

import dev.oomsim.kernel.mm.NodeMask;

/** A cpuset: path name, {@code mems}, hardwall (mem_exclusive or mem_hardwall) and parent path (null for the root). */
public record Cpuset(String name, NodeMask mems, boolean hardwall, String parent) {

    /** The root cpuset's name. */
    public static final String ROOT = "/";

    /** Validates the name. */
    public Cpuset {
        if (name == null || !name.startsWith("/")) {
            throw new IllegalArgumentException("cpuset name: must start with /, got " + name);
        }
        if (mems == null) {
            throw new IllegalArgumentException("cpuset mems: must be set for " + name);
        }
    }

    /** The name {@code pr_cont_cgroup_name} prints: the last path component, or {@code /} for the root. */
    public String cgroupName() {
        if (name.equals(ROOT)) {
            return ROOT;
        }
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
