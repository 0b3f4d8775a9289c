package dev.oomsim.kernel.mm;

/** Package bridge: lets the machine and loaders claim and free boot-time pages of a zone by rank. */
public final class MachineAccess {
    private MachineAccess() {
    }

    /** Hands the next {@code pages} non-free boot pages of {@code zone} to a holder; returns the first rank. */
    public static long claimLoadPages(Zone zone, long pages) {
        return zone.claimLoadPages(pages);
    }

    /** Frees the boot pages of ranks {@code [from, to)}. */
    public static void freeLoadRanks(Zone zone, long from, long to) {
        zone.freeLoadRanks(from, to);
    }

    /** Rank of a boot-time non-free pfn, or -1. */
    public static long rankOf(Zone zone, long pfn) {
        return zone.rankOf(pfn);
    }

    /** Frees up to {@code pages} reserved pages of the zone, one page at a time; returns how many. */
    public static long reclaimReserved(Zone zone, long pages) {
        return zone.reclaimReserved(pages);
    }
}
