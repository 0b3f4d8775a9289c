package dev.oomsim.kernel.image;

import java.util.List;

/**
 * One mm on one node: {@code MM_ANONPAGES} and {@code MM_FILEPAGES} there and its holdings in the node's zones, in
 * the order the mm's holdings map lists them (the order {@code exit_mmap} frees them).
 */
public record MmNodeImage(int mmId, long anonPages, long filePages, List<HoldingImage> holdings) {

    /** Copies the holdings and validates the counters. */
    public MmNodeImage {
        if (mmId <= 0) {
            throw new IllegalArgumentException("mm id: must be > 0, got " + mmId);
        }
        if (anonPages < 0 || filePages < 0) {
            throw new IllegalArgumentException("mm " + mmId + ": anon and file must be >= 0, got " + anonPages
                    + " and " + filePages);
        }
        if (holdings == null) {
            throw new IllegalArgumentException("mm " + mmId + ": holdings must be set");
        }
        holdings = List.copyOf(holdings);
    }
}
