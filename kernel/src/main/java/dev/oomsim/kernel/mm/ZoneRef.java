package dev.oomsim.kernel.mm;

/** Mirrors {@code struct zoneref}: a zone of a zonelist, by node id and zone index. */
public record ZoneRef(int nodeId, int zoneIdx) {

    /** Validates the ids. */
    public ZoneRef {
        if (nodeId < 0) {
            throw new IllegalArgumentException("nodeId: must be >= 0, got " + nodeId);
        }
        if (zoneIdx < 0) {
            throw new IllegalArgumentException("zoneIdx: must be >= 0, got " + zoneIdx);
        }
    }
}
