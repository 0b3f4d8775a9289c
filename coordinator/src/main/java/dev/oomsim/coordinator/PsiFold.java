package dev.oomsim.coordinator;

import java.util.TreeMap;

/**
 * PSI-like memory stall averages, done as kernel/sched/psi.c does them but on event time: every {@code PSI_FREQ}
 * (2 s) period the stalled share of the period, in percent, is folded into three exponentially decayed averages,
 * {@code avg = avg * e + pct * (1 - e)}, with the kernel's fixed-point decay factors {@code EXP_10s = 1677},
 * {@code EXP_60s = 1981}, {@code EXP_300s = 2034} over {@code FIXED_1 = 2048} (psi.c's {@code calc_load}, here in
 * doubles). A period with no stall folds a share of 0, as the kernel's missed periods do.
 *
 * <p>Stalled time: the simulated node runs one request at a time and a {@code ProgressEvent} reports, at its record
 * timestamp {@code t}, the {@code stallMs} the request spent in the agent. A request that left the fast path stalls
 * the node <em>some</em> over {@code [t - stallMs, t)}; when its path entered direct reclaim or may_oom the same
 * interval also counts as <em>full</em> (the model does not time the steps, so the whole stall counts). The
 * interval is split over the periods it overlaps, and a period's share is capped at 100 %. A period is closed
 * (folded) once stream time has passed its end by the grace period, so late records within grace still count.
 * Fields only: stored as JSON.
 */
final class PsiFold {

    static final long PSI_FREQ_MS = 2_000;
    static final long FIXED_1 = 2048;
    static final long[] EXP = {1677, 1981, 2034};
    private static final long MAX_PERIODS_FOLDED = 10_000;

    long closedUpToMs = Long.MIN_VALUE;
    TreeMap<Long, long[]> open = new TreeMap<>();
    double[] some = new double[3];
    double[] full = new double[3];
    long someTotalMs;
    long fullTotalMs;

    /** Adds a stall over {@code [startMs, endMs)}; the part inside already folded periods is dropped. */
    void stall(long startMs, long endMs, boolean isFull) {
        long from = closedUpToMs == Long.MIN_VALUE ? startMs : Math.max(startMs, closedUpToMs);
        for (long p = Math.floorDiv(from, PSI_FREQ_MS) * PSI_FREQ_MS; p < endMs; p += PSI_FREQ_MS) {
            long part = Math.min(endMs, p + PSI_FREQ_MS) - Math.max(from, p);
            if (part <= 0) {
                continue;
            }
            long[] s = open.computeIfAbsent(p, k -> new long[2]);
            s[0] += part;
            someTotalMs += part;
            if (isFull) {
                s[1] += part;
                fullTotalMs += part;
            }
        }
    }

    /** Folds every period that ended at least {@code graceMs} before {@code streamTimeMs}. */
    void advance(long streamTimeMs, long graceMs) {
        long end = Math.floorDiv(streamTimeMs - graceMs, PSI_FREQ_MS) * PSI_FREQ_MS;
        long start = closedUpToMs != Long.MIN_VALUE ? closedUpToMs
                : open.isEmpty() ? end : Math.min(open.firstKey(), end);
        if (end <= start) {
            closedUpToMs = Math.max(closedUpToMs, start);
            return;
        }
        if ((end - start) / PSI_FREQ_MS > MAX_PERIODS_FOLDED) {
            // so many idle periods decay any average to 0 (0.9995^10000 < 1e-2 % of anything)
            some = new double[3];
            full = new double[3];
            open.headMap(end).clear();
        } else {
            for (long p = start; p < end; p += PSI_FREQ_MS) {
                long[] s = open.remove(p);
                fold(some, s == null ? 0 : s[0]);
                fold(full, s == null ? 0 : s[1]);
            }
        }
        closedUpToMs = end;
    }

    private static void fold(double[] avg, long stalledMs) {
        double pct = Math.min(stalledMs, PSI_FREQ_MS) * 100.0 / PSI_FREQ_MS;
        for (int i = 0; i < 3; i++) {
            double e = (double) EXP[i] / FIXED_1;
            avg[i] = avg[i] * e + pct * (1 - e);
        }
    }
}
