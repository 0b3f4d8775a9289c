package dev.oomsim.kernel.image;

import java.util.List;

/**
 * Mirrors {@code Mm.Holding}: which pages one mm holds in one zone, as the boot-time rank ranges it still holds (in
 * the order a release frees them) and the blocks allocated to it since, ascending pfn.
 */
public record HoldingImage(int zoneIdx, List<RankRange> rankRanges, List<HeldBlock> blocks) {

    /** Ranks {@code [from, to)} of the zone's boot-time non-free pages. */
    public record RankRange(long from, long to) {
        /** Validates the range. */
        public RankRange {
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("rank range: expected 0 <= from <= to, got [" + from + ", " + to
                        + ")");
            }
        }
    }

    /** A block of {@code 2^order} pages at {@code pfn} handed to the mm at run time. */
    public record HeldBlock(long pfn, int order) {
        /** Validates the block. */
        public HeldBlock {
            if (pfn < 0 || order < 0 || order >= dev.oomsim.kernel.mm.BuddyOrder.MAX_ORDER
                    || (pfn & ((1L << order) - 1)) != 0) {
                throw new IllegalArgumentException("held block: pfn " + pfn + " order " + order
                        + " is not an aligned block");
            }
        }
    }

    /** Copies the lists. */
    public HoldingImage {
        if (zoneIdx < 0 || rankRanges == null || blocks == null) {
            throw new IllegalArgumentException("holding: zone index >= 0, rank ranges and blocks must be set");
        }
        rankRanges = List.copyOf(rankRanges);
        blocks = List.copyOf(blocks);
    }
}
