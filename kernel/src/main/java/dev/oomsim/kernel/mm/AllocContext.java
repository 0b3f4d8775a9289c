package dev.oomsim.kernel.mm;

/**
 * Mirrors {@code struct alloc_context}: the zonelist (replaced by the local node's list for a no-watermark attempt),
 * the policy nodemask (null when none), {@code high_zoneidx}, {@code classzone_idx} and the preferred zone. Mutable
 * for the duration of one allocation; owned by the allocating thread.
 */
public final class AllocContext {
    Zonelist zonelist;
    NodeMask nodemask;
    final int highZoneidx;
    int classzoneIdx;
    ZoneRef preferredZone;
    final int localNode;

    AllocContext(Zonelist zonelist, NodeMask nodemask, int highZoneidx, int localNode) {
        this.zonelist = zonelist;
        this.nodemask = nodemask;
        this.highZoneidx = highZoneidx;
        this.localNode = localNode;
    }

    public Zonelist zonelist() {
        return zonelist;
    }

    /** The policy nodemask, or null. */
    public NodeMask nodemask() {
        return nodemask;
    }

    public int highZoneidx() {
        return highZoneidx;
    }

    public int classzoneIdx() {
        return classzoneIdx;
    }

    /** The preferred zone, or null when no zone is eligible. */
    public ZoneRef preferredZone() {
        return preferredZone;
    }

    public int localNode() {
        return localNode;
    }
}
