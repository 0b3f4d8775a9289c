package dev.oomsim.kernel.mm;

/** An allocated block: node, zone, first pfn and order. */
public record Page(int nodeId, ZoneType zone, long pfn, int order) {

    /** Validates the fields. */
    public Page {
        if (nodeId < 0) {
            throw new IllegalArgumentException("nodeId: must be >= 0, got " + nodeId);
        }
        if (pfn < 0) {
            throw new IllegalArgumentException("pfn: must be >= 0, got " + pfn);
        }
        if (order < 0 || order >= Zone.MAX_ORDER) {
            throw new IllegalArgumentException("order: expected 0..10, got " + order);
        }
    }
}
