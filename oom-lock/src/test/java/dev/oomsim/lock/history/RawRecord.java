package dev.oomsim.lock.history;

/**
 * One record of the lock topic exactly as read: offset, log append time, key text, and the
 * claim's lease and request id (null for a tombstone).
 */
public record RawRecord(long offset, long timestampMs, String key, String requestId, Long leaseMs) {

    public boolean isTombstone() {
        return leaseMs == null;
    }
}
