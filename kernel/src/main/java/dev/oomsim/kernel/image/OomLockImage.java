package dev.oomsim.kernel.image;

import java.util.Optional;

import dev.oomsim.kernel.oom.OomLockToken;

/**
 * Mirrors the in-process {@code oom_lock} ({@code LocalOomLock}) between events: the next fencing token it will hand
 * out and its holder, if any (between events only a holder outside the scenario, {@code oom_lock: held}).
 */
public record OomLockImage(long nextToken, Optional<OomLockToken> holder) {

    /** Validates that a holder's token was handed out before {@code nextToken}. */
    public OomLockImage {
        if (nextToken < 1) {
            throw new IllegalArgumentException("oom_lock next token: must be >= 1, got " + nextToken);
        }
        if (holder == null) {
            throw new IllegalArgumentException("oom_lock holder: must be set (empty when free)");
        }
        if (holder.isPresent() && holder.get().fencingToken() >= nextToken) {
            throw new IllegalArgumentException("oom_lock holder token " + holder.get().fencingToken()
                    + " was not handed out yet (next is " + nextToken + ")");
        }
    }
}
