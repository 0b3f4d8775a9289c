package dev.oomsim.kernel.task;

/**
 * The one range check of an {@code oom_score_adj}: {@code OOM_SCORE_ADJ_MIN..OOM_SCORE_ADJ_MAX}, as
 * {@code __set_oom_adj} requires. Imports nothing, so the image records read it without importing {@link Task}.
 */
public final class OomScoreAdjRange {
    /** {@code OOM_SCORE_ADJ_MIN}: the task is never chosen. */
    public static final int MIN = -1000;
    /** {@code OOM_SCORE_ADJ_MAX}. */
    public static final int MAX = 1000;

    private OomScoreAdjRange() {
    }

    /** Whether {@code adj} lies in {@code MIN..MAX}. */
    public static boolean contains(int adj) {
        return adj >= MIN && adj <= MAX;
    }

    /**
     * {@code adj} when it lies in the range, else an {@link IllegalArgumentException} whose message is
     * {@code subject + "oom_score_adj: expected -1000..1000, got " + adj}.
     */
    public static int require(int adj, String subject) {
        if (!contains(adj)) {
            throw new IllegalArgumentException(subject + "oom_score_adj: expected " + MIN + ".." + MAX + ", got "
                    + adj);
        }
        return adj;
    }
}
