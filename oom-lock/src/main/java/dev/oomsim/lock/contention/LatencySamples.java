package dev.oomsim.lock.contention;

import java.util.Arrays;

/** A growable array of latency samples (nanoseconds) with percentiles; thread-safe. */
public final class LatencySamples {

    private long[] values = new long[1024];
    private int size;

    public synchronized void add(long value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    public synchronized void addAll(LatencySamples other) {
        long[] theirs = other.toArray();
        for (long v : theirs) {
            add(v);
        }
    }

    public synchronized long[] toArray() {
        return Arrays.copyOf(values, size);
    }

    public synchronized int size() {
        return size;
    }

    /** The p-th percentile (0..100), nearest rank; -1 when empty. */
    public long percentile(double p) {
        long[] sorted = toArray();
        if (sorted.length == 0) {
            return -1;
        }
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** p50/p99 in microseconds. */
    public String summary() {
        return String.format("n=%d p50=%dus p99=%dus", size(), percentile(50) / 1000, percentile(99) / 1000);
    }
}
