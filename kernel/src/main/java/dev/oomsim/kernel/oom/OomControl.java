package dev.oomsim.kernel.oom;

import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.NodeMask;
import dev.oomsim.kernel.mm.Zonelist;

/**
 * Mirrors {@code struct oom_control}: zonelist (null for none), nodemask (null for none), gfp, order, and the memcg
 * path for a memcg OOM (null for a global one; the seed's struct has no memcg field, its memcg path passes it aside).
 */
public record OomControl(Zonelist zonelist, NodeMask nodemask, GfpFlags gfp, int order, String memcg) {

    /** Validates the fields. */
    public OomControl {
        if (gfp == null) {
            throw new IllegalArgumentException("gfp: must be set");
        }
        if (order < 0) {
            throw new IllegalArgumentException("order: must be >= 0, got " + order);
        }
    }
}
