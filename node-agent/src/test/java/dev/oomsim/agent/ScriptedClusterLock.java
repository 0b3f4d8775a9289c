package dev.oomsim.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The cluster lock: the outcomes its tries get, in order (refused when none is left); the releases made. */
final class ScriptedClusterLock implements ClusterLock {
    final ArrayDeque<Optional<Long>> grants = new ArrayDeque<>();
    final List<Long> unlocked = new ArrayList<>();
    int tries;
    Long held;
    /** What {@link #whenDue} answers: due at once unless a test sets a pending future. */
    CompletableFuture<Void> due = CompletableFuture.completedFuture(null);

    @Override
    public Optional<Long> tryLock() {
        tries++;
        Optional<Long> grant = grants.isEmpty() ? Optional.empty() : grants.poll();
        grant.ifPresent(t -> held = t);
        return grant;
    }

    @Override
    public void unlock(long token) {
        unlocked.add(token);
        held = null;
    }

    @Override
    public boolean holds(long token) {
        return held != null && held == token;
    }

    @Override
    public boolean isHeld() {
        return held != null;
    }

    @Override
    public CompletableFuture<Void> whenDue() {
        return due;
    }

    @Override
    public void close() {
    }
}
