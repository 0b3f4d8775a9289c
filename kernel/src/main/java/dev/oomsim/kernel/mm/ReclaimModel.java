package dev.oomsim.kernel.mm;

import java.util.List;

/**
 * Direct reclaim ({@code try_to_free_pages}) as a pluggable, deterministic model (docs/kernel-model.md §2). A model
 * reaches a zone only through its node's {@link NodeMemory#reclaimZone}.
 */
public interface ReclaimModel {

    /**
     * Frees pages from {@code zones} (eligible, zonelist order) for a request, each through its node in
     * {@code memory}; returns the progress (pages freed).
     */
    long tryToFreePages(NodeMemories memory, List<ZoneRef> zones, int order, GfpFlags gfp);

    /** The default: up to SWAP_CLUSTER_MAX pages from each zone's reclaimable count, zones in order. */
    static ReclaimModel swapClusterPerZone() {
        return (memory, zones, order, gfp) -> {
            long total = 0;
            for (ZoneRef ref : zones) {
                total += memory.memory(ref.nodeId()).reclaimZone(ref.zoneIdx(), WatermarkSetup.SWAP_CLUSTER_MAX);
            }
            return total;
        };
    }

    /** Frees exactly {@code pages} per pass (order-0 blocks), taken from the zones' reclaimable counts in order. */
    static ReclaimModel fixedPerPass(long pages) {
        if (pages < 0) {
            throw new IllegalArgumentException("reclaim_pages_per_pass: must be >= 0, got " + pages);
        }
        return (memory, zones, order, gfp) -> {
            long remaining = pages;
            long total = 0;
            for (ZoneRef ref : zones) {
                if (remaining == 0) {
                    break;
                }
                long freed = memory.memory(ref.nodeId()).reclaimZone(ref.zoneIdx(), remaining);
                remaining -= freed;
                total += freed;
            }
            return total;
        };
    }

    /**
     * The v4.4 quirk (docs/kernel-model.md §2, flag {@code reclaimQuirk44}): reclaim reports progress 1 while any zone
     * still looks reclaimable, even when it freed nothing.
     */
    default ReclaimModel withReclaimQuirk44() {
        ReclaimModel inner = this;
        return (memory, zones, order, gfp) -> {
            long freed = inner.tryToFreePages(memory, zones, order, gfp);
            if (freed == 0) {
                for (ZoneRef ref : zones) {
                    if (memory.memory(ref.nodeId()).zoneSnapshot(ref.zoneIdx()).reclaimablePages() > 0) {
                        return 1;
                    }
                }
            }
            return freed;
        };
    }
}
