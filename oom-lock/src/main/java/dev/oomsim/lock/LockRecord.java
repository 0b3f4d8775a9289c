package dev.oomsim.lock;

import java.util.Objects;

/** One record of the lock topic as the fold sees it, in offset order. */
public sealed interface LockRecord {

    /** The record's offset in the lock partition. */
    long offset();

    /** The record's LogAppendTime: the broker's clock, the same for every reader. */
    long appendTimeMs();

    /** A claim: that key's claim is now this record, rank = its offset, deadline = append time + lease. */
    record ClaimRecord(long offset, long appendTimeMs, LockKey key, String requestId,
            long leaseMs) implements LockRecord {
        public ClaimRecord {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(requestId, "requestId");
            if (offset < 0) {
                throw new IllegalArgumentException("offset must be >= 0: " + offset);
            }
            if (leaseMs <= 0) {
                throw new IllegalArgumentException("leaseMs must be > 0: " + leaseMs);
            }
        }
    }

    /** A tombstone: that key has no claim (withdrawn or released). */
    record Tombstone(long offset, long appendTimeMs, LockKey key) implements LockRecord {
        public Tombstone {
            Objects.requireNonNull(key, "key");
            if (offset < 0) {
                throw new IllegalArgumentException("offset must be >= 0: " + offset);
            }
        }
    }

    /**
     * A record that is not a claim of this lock (another lock's key, or a key or value that does
     * not decode): it claims nothing, but its append time still moves log time.
     */
    record Other(long offset, long appendTimeMs) implements LockRecord {
    }
}
