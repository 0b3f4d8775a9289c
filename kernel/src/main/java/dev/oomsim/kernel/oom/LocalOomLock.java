package dev.oomsim.kernel.oom;

import java.util.Optional;

import dev.oomsim.kernel.image.OomLockImage;

/**
 * An in-process trylock handing out increasing fencing tokens. Not thread-safe by design: it is owned by the single
 * thread that runs the model. {@link #holdElsewhere()} models a holder outside the scenario.
 */
public final class LocalOomLock implements OomLock {
    private long nextToken = 1;
    private OomLockToken holder;

    @Override
    public Optional<OomLockToken> tryLock() {
        if (holder != null) {
            return Optional.empty();
        }
        holder = new OomLockToken(nextToken++);
        return Optional.of(holder);
    }

    @Override
    public void unlock(OomLockToken token) {
        if (holder == null || holder.fencingToken() != token.fencingToken()) {
            throw new IllegalStateException("oom_lock: unlock with stale token " + token.fencingToken());
        }
        holder = null;
    }

    @Override
    public boolean isHeld() {
        return holder != null;
    }

    /** Takes the lock on behalf of someone outside the model; returns that holder's token. */
    public OomLockToken holdElsewhere() {
        return tryLock().orElseThrow(() -> new IllegalStateException("oom_lock already held"));
    }

    /** An image of the lock between events: the next token and the holder, if any. */
    public OomLockImage captureImage() {
        return new OomLockImage(nextToken, Optional.ofNullable(holder));
    }

    /** Overwrites the lock's state with {@code image}'s. */
    public void restoreImage(OomLockImage image) {
        nextToken = image.nextToken();
        holder = image.holder().orElse(null);
    }
}
