package dev.oomsim.agent.wire;

import dev.oomsim.kernel.task.OomScoreAdjRange;
import dev.oomsim.service.DeadLetterCategory;

/** The agent's one check of an {@code oom_score_adj} from the wire against the kernel's range. */
public final class OomScoreAdj {

    private OomScoreAdj() {
    }

    /**
     * {@code adj} when it lies in {@code OOM_SCORE_ADJ_MIN..OOM_SCORE_ADJ_MAX} (as {@code __set_oom_adj} requires),
     * else bad input of {@code category}, its message starting with {@code prefix}.
     */
    public static int check(int adj, DeadLetterCategory category, String prefix) throws Rejected {
        if (!OomScoreAdjRange.contains(adj)) {
            throw new Rejected(category, prefix + "oom_score_adj " + adj + " is outside " + OomScoreAdjRange.MIN + ".."
                    + OomScoreAdjRange.MAX);
        }
        return adj;
    }
}
