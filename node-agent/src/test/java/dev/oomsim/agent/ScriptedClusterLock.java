package dev.oomsim.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The cluster lock: the outcomes its tries get, in order (refused when none is left); the releases made. */
final class ScriptedClusterLock implements ClusterLock {
    final ArrayDeque<Optional<Long>> grants = new ArrayDeque<>();
    final List<Long> unlocked = new ArrayList<>();
    int tries;
    Long held;

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
    public void close() {
    }
}
