package dev.oomsim.kernel.image;

/**
 * Mirrors the node-independent counters of one {@code struct mm_struct}: {@code MM_SWAPENTS}, {@code nr_ptes},
 * {@code nr_pmds}, {@code total_vm}, {@code MM_SHMEMPAGES} and MMF_OOM_SKIP (all zero once the last user exited). Its
 * per-node rss and holdings belong to the node that holds the pages: {@link MmNodeImage}, in that node's image.
 */
public record MmImage(int id, long swapents, long nrPtes, long nrPmds, long totalVmPages, long shmemPages,
        boolean oomSkip) {

    /** Validates the id. */
    public MmImage {
        if (id <= 0) {
            throw new IllegalArgumentException("mm id: must be > 0, got " + id);
        }
    }
}
