package dev.oomsim.report;

import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.task.OomScoreAdjRange;

/**
 * Changes to a report before its decision is re-run: {@code --set PID.oom_score_adj=N}, {@code --kill PID},
 * {@code --profile seed|modern}, {@code --add-swap PAGES}.
 *
 * @param oomScoreAdj new oom_score_adj by pid
 * @param removed     pids removed from the task table
 * @param profile     the model profile to decide with instead of the era's, or null
 * @param addSwapPages swap pages added to total_swap_pages
 */
public record WhatIf(Map<Integer, Integer> oomScoreAdj, List<Integer> removed, String profile, long addSwapPages) {

    /** No change. */
    public static final WhatIf NONE = new WhatIf(Map.of(), List.of(), null, 0);

    /** Validates and copies. */
    public WhatIf {
        oomScoreAdj = Map.copyOf(oomScoreAdj);
        removed = List.copyOf(removed);
        if (profile != null && !profile.equals("seed") && !profile.equals("modern")) {
            throw new IllegalArgumentException("profile: must be seed or modern, got " + profile);
        }
        if (addSwapPages < 0) {
            throw new IllegalArgumentException("addSwapPages: must be >= 0, got " + addSwapPages);
        }
        for (Map.Entry<Integer, Integer> e : oomScoreAdj.entrySet()) {
            if (!OomScoreAdjRange.contains(e.getValue())) {
                throw new IllegalArgumentException(e.getKey() + ".oom_score_adj: must be in [-1000, 1000], got "
                        + e.getValue());
            }
        }
    }

    private static final java.util.regex.Pattern ADJUSTMENT =
            java.util.regex.Pattern.compile("^(\\d+)\\.oom_score_adj=(-?\\d+)$");

    /**
     * The {@code oom_score_adj} changes {@code PID.oom_score_adj=N}, one per entry, by pid.
     *
     * @throws IllegalArgumentException naming the entry that is not of that form
     */
    public static Map<Integer, Integer> adjustments(List<String> entries) {
        Map<Integer, Integer> adj = new java.util.HashMap<>();
        for (String s : entries) {
            java.util.regex.Matcher m = ADJUSTMENT.matcher(s);
            if (!m.matches()) {
                throw new IllegalArgumentException(s + ": expected PID.oom_score_adj=N");
            }
            adj.put(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
        return adj;
    }

    /** Whether this changes anything. */
    public boolean isNone() {
        return oomScoreAdj.isEmpty() && removed.isEmpty() && profile == null && addSwapPages == 0;
    }

    /** The change in the command's own words, e.g. {@code --set 6576.oom_score_adj=-1000 --add-swap 1000}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        oomScoreAdj.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(" --set ").append(e.getKey()).append(".oom_score_adj=").append(e.getValue()));
        removed.forEach(p -> sb.append(" --kill ").append(p));
        if (profile != null) {
            sb.append(" --profile ").append(profile);
        }
        if (addSwapPages > 0) {
            sb.append(" --add-swap ").append(addSwapPages);
        }
        return sb.toString().trim();
    }
}
