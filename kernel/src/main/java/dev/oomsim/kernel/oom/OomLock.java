package dev.oomsim.kernel.oom;

import java.util.Optional;

/**
 * Mirrors {@code oom_lock} with {@code mutex_trylock}: never blocks. Local in process, a compacted topic in the
 * cluster.
 */
public interface OomLock {

    /** Mirrors {@code mutex_trylock(&oom_lock)}: a token when taken, empty when someone else holds it. */
    Optional<OomLockToken> tryLock();

    /** Mirrors {@code mutex_unlock(&oom_lock)}; a token that is not the current one is refused. */
    void unlock(OomLockToken token);

    /** True while some holder has the lock. */
    boolean isHeld();
}
