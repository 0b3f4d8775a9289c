package dev.oomsim.agent;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster-wide {@code oom_lock} as the agent uses it: a trylock that never waits for the holder. The agent calls it
 * only while serving live commands and journals each outcome in its command log, so a replay never calls it.
 */
public interface ClusterLock extends AutoCloseable {

    /** A fencing token when taken, empty when someone else holds the lock (or this claim lost). */
    Optional<Long> tryLock();

    /** Releases the grant with {@code token}. */
    void unlock(long token);

    /** Whether this agent still holds the grant with {@code token}, by its own lease clock. */
    boolean holds(long token);

    /** Whether some contender holds the lock, as this agent's fold of the lock topic sees it. */
    boolean isHeld();

    /**
     * Completes when a refused contender's next try is due, by the lock's own hints: at once while another holds the
     * lock (the kernel retries after a jiffy whoever holds it), after this contender's turn among those woken by the
     * same release once the lock is free. A hint only: a try may still be refused. By default, always due.
     */
    default CompletableFuture<Void> whenDue() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    void close();
}
