package dev.oomsim.kernel.oom;

import java.util.ArrayList;
import java.util.List;

import dev.oomsim.kernel.task.Task;

/**
 * The best {@link OomReport#MAX_CANDIDATES} tasks one {@code select_bad_process} walk evaluated, kept in place while
 * the walk runs (an insertion into a short sorted array; most tasks only meet the comparison with the last entry).
 * Points compare unsigned in the seed profile (its badness is an unsigned long), signed in the modern one; among
 * equal points the earlier-walked task stays ahead.
 */
final class TopCandidates {
    private final boolean unsigned;
    private final Task[] tasks = new Task[OomReport.MAX_CANDIDATES];
    private final long[] points = new long[OomReport.MAX_CANDIDATES];
    private int count;

    TopCandidates(boolean unsigned) {
        this.unsigned = unsigned;
    }

    private int compare(long a, long b) {
        return unsigned ? Long.compareUnsigned(a, b) : Long.compare(a, b);
    }

    /** Offers an evaluated task with its points. */
    void offer(Task t, long p) {
        if (count == tasks.length && compare(p, points[count - 1]) <= 0) {
            return;
        }
        int at = count == tasks.length ? count - 1 : count;
        while (at > 0 && compare(p, points[at - 1]) > 0) {
            tasks[at] = tasks[at - 1];
            points[at] = points[at - 1];
            at--;
        }
        tasks[at] = t;
        points[at] = p;
        if (count < tasks.length) {
            count++;
        }
    }

    /** The candidates best first, {@code chosen} (when among them) moved ahead of the tasks with its points. */
    List<OomReport.Candidate> toList(Task chosen) {
        List<OomReport.Candidate> out = new ArrayList<>(count);
        int chosenAt = -1;
        for (int i = 0; i < count; i++) {
            if (tasks[i] == chosen) {
                chosenAt = i;
            }
        }
        int firstEqual = chosenAt;
        while (firstEqual > 0 && points[firstEqual - 1] == points[chosenAt]) {
            firstEqual--;
        }
        for (int i = 0; i < count; i++) {
            if (i == firstEqual && chosenAt >= 0) {
                out.add(new OomReport.Candidate(chosen.pid(), chosen.comm(), points[chosenAt]));
            }
            if (i != chosenAt) {
                out.add(new OomReport.Candidate(tasks[i].pid(), tasks[i].comm(), points[i]));
            }
        }
        return out;
    }
}
