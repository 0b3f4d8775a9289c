package dev.oomsim.lock;

import java.util.Objects;

/**
 * The lock, granted: {@code token} is the claim's offset, the fencing token every KillEvent carries.
 * The holder must stop acting as holder by its own monotonic clock at {@code validUntilNanos}
 * (time before the claim was sent + lease - safety margin): log time does not advance on an idle
 * log, so the holder's own fold cannot tell it.
 */
public record LockGrant(LockKey key, String requestId, long token, long logAppendTimeMs,
                        long acquiredAtNanos, long validUntilNanos) {

    public LockGrant {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(requestId, "requestId");
        if (token < 0) {
            throw new IllegalArgumentException("token must be >= 0: " + token);
        }
    }

    /** Whether the holder may still act as holder at monotonic time {@code nowNanos}. */
    public boolean isValidAt(long nowNanos) {
        return nowNanos - validUntilNanos < 0;
    }
}
