package dev.oomsim.kernel.mm;

/**
 * One allocation: requesting pid, gfp, order and the CPU's node ({@code numa_node_id()}; -1: the first node of the
 * requester's cpuset).
 */
public record AllocRequest(int pid, GfpFlags gfp, int order, int node) {

    /** Validates the fields. */
    public AllocRequest {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid: must be > 0, got " + pid);
        }
        if (gfp == null) {
            throw new IllegalArgumentException("gfp: must be set");
        }
        if (order < 0 || order > 63) {
            throw new IllegalArgumentException("order: expected 0..63, got " + order);
        }
        if (node < -1) {
            throw new IllegalArgumentException("node: must be >= 0, got " + node);
        }
    }
}
