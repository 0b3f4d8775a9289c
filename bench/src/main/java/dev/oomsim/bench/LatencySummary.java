package dev.oomsim.bench;

import java.util.Arrays;

/**
 * Percentiles of a set of latencies, in milliseconds with nanosecond resolution (nearest-rank percentiles).
 */
public record LatencySummary(int count, double avgMs, double p50Ms, double p99Ms, double p999Ms, double maxMs) {

    public LatencySummary {
        if (count < 1) {
            throw new IllegalArgumentException("a latency summary needs at least one sample, had " + count);
        }
        if (!(0 <= p50Ms && p50Ms <= p99Ms && p99Ms <= p999Ms && p999Ms <= maxMs)) {
            throw new IllegalArgumentException("percentiles out of order: p50 " + p50Ms + ", p99 " + p99Ms
                    + ", p99.9 " + p999Ms + ", max " + maxMs);
        }
    }

    /** Summarises latencies given in nanoseconds; the array is sorted in place. */
    public static LatencySummary ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no latencies to summarise");
        }
        Arrays.sort(nanos);
        double sum = 0;
        for (long n : nanos) {
            sum += n;
        }
        return new LatencySummary(nanos.length, sum / nanos.length / 1e6,
                percentile(nanos, 0.50) / 1e6, percentile(nanos, 0.99) / 1e6, percentile(nanos, 0.999) / 1e6,
                nanos[nanos.length - 1] / 1e6);
    }

    /** Nearest rank: the smallest sample with at least {@code p} of all samples at or below it. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
