package dev.oomsim.kernel.oom;

/**
 * Proof of holding {@code oom_lock}; {@code fencingToken} increases with every grant so stale holders can be refused.
 */
public record OomLockToken(long fencingToken) {

    /** Validates the token. */
    public OomLockToken {
        if (fencingToken < 0) {
            throw new IllegalArgumentException("fencingToken: must be >= 0, got " + fencingToken);
        }
    }
}
