package dev.oomsim.coordinator;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counts in tumbling windows of event time, closed a grace period after their end by the fold's stream time (the
 * newest record timestamp it has seen). A record whose window is already closed is late. Keeps the newest
 * {@code keepClosed} closed windows (hopping sums are sums of them). Fields only: stored as JSON.
 */
final class TumblingCounts {

    long sizeMs;
    int width;
    int keepClosed;
    /** The end of the newest closed window; {@link Long#MIN_VALUE} before any closed. */
    long closedUpToMs = Long.MIN_VALUE;
    TreeMap<Long, double[]> open = new TreeMap<>();
    TreeMap<Long, double[]> closed = new TreeMap<>();

    TumblingCounts() {
    }

    TumblingCounts(long sizeMs, int width, int keepClosed) {
        this.sizeMs = sizeMs;
        this.width = width;
        this.keepClosed = keepClosed;
    }

    /** Whether a record at {@code ts} falls in a window that already closed. */
    boolean late(long ts) {
        return closedUpToMs != Long.MIN_VALUE && ts < closedUpToMs;
    }

    /** Adds {@code values} to the window of {@code ts}; false (and nothing added) when that window is closed. */
    boolean add(long ts, double... values) {
        if (late(ts)) {
            return false;
        }
        double[] sums = open.computeIfAbsent(Math.floorDiv(ts, sizeMs) * sizeMs, s -> new double[width]);
        for (int i = 0; i < width; i++) {
            sums[i] += values[i];
        }
        return true;
    }

    /** Closes every window that ended at least {@code graceMs} before {@code streamTimeMs}. */
    void advance(long streamTimeMs, long graceMs) {
        long end = Math.floorDiv(streamTimeMs - graceMs, sizeMs) * sizeMs;
        if (end <= closedUpToMs) {
            return;
        }
        while (!open.isEmpty() && open.firstKey() < end) {
            Map.Entry<Long, double[]> w = open.pollFirstEntry();
            closed.put(w.getKey(), w.getValue());
        }
        closedUpToMs = end;
        while (!closed.isEmpty() && closed.firstKey() < end - keepClosed * sizeMs) {
            closed.pollFirstEntry();
        }
    }

    /** The counts of the newest closed window (zeros when it saw nothing or none closed yet). */
    double[] lastClosed() {
        return closedUpToMs == Long.MIN_VALUE ? new double[width] : sumClosed(1);
    }

    /** The sums of the newest {@code windows} closed windows. */
    double[] sumClosed(int windows) {
        double[] sums = new double[width];
        if (closedUpToMs == Long.MIN_VALUE) {
            return sums;
        }
        for (double[] w : closed.tailMap(closedUpToMs - windows * sizeMs, true).values()) {
            for (int i = 0; i < width; i++) {
                sums[i] += w[i];
            }
        }
        return sums;
    }
}
