package dev.oomsim.kernel.mm;

/**
 * Package bridge for boot-time loaders: hands a task the boot-time non-free pages of a zone by rank. At run time only
 * {@link LocalNodeMemory} frees or reclaims a zone's pages.
 */
public final class MachineAccess {
    private MachineAccess() {
    }

    /** Hands the next {@code pages} non-free boot pages of {@code zone} to a holder; returns the first rank. */
    public static long claimLoadPages(Zone zone, long pages) {
        return zone.claimLoadPages(pages);
    }
}
