package dev.oomsim.lock;

import java.util.Objects;

/** A key's current claim in the fold: rank = its offset, deadline = its append time + lease. */
public record Claim(LockKey key, String requestId, long rank, long appendTimeMs, long leaseMs) {

    public Claim {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(requestId, "requestId");
        if (rank < 0) {
            throw new IllegalArgumentException("rank must be >= 0: " + rank);
        }
        if (leaseMs <= 0) {
            throw new IllegalArgumentException("leaseMs must be > 0: " + leaseMs);
        }
    }

    /** Log time after which the claim is no longer live. */
    public long deadlineMs() {
        return appendTimeMs + leaseMs;
    }

    /** Live at log time {@code t}: at equality it is still live; it expires only when t &gt; deadline. */
    public boolean isLiveAt(long logTimeMs) {
        return logTimeMs <= deadlineMs();
    }
}
