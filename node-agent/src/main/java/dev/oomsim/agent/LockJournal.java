package dev.oomsim.agent;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import dev.oomsim.schemas.LockResult;

/**
 * The {@code oom_lock} outcomes a node journaled in its own command log, per request in log order, gathered before a
 * replay ({@link JournaledOomLock#preview}). A request's attempts are journaled one by one in the order it makes them,
 * so its n-th attempt in the replay finds its outcome at the head of its queue. Used by the command-log thread only.
 */
final class LockJournal {

    private final Map<String, ArrayDeque<Entry>> byRequest = new HashMap<>();

    void add(String requestId, Entry outcome) {
        byRequest.computeIfAbsent(requestId, id -> new ArrayDeque<>()).add(outcome);
    }

    /** The request's next journaled outcome, or null. */
    Entry peek(String requestId) {
        ArrayDeque<Entry> queue = byRequest.get(requestId);
        return queue == null ? null : queue.peek();
    }

    /** Drops the request's next outcome if it is the one journaled as {@code commandId} (a live attempt has none). */
    void take(String requestId, String commandId) {
        ArrayDeque<Entry> queue = byRequest.get(requestId);
        if (queue != null && !queue.isEmpty() && queue.peek().commandId().equals(commandId)) {
            queue.poll();
            if (queue.isEmpty()) {
                byRequest.remove(requestId);
            }
        }
    }

    /**
     * The outcome journaled as {@code commandId} becomes a refusal: its grant was lost with the incarnation that took
     * it, so the replayed attempt waits and retries, as after a failed trylock.
     */
    void refuse(String requestId, String commandId) {
        ArrayDeque<Entry> queue = byRequest.get(requestId);
        if (queue == null) {
            return;
        }
        ArrayDeque<Entry> replaced = new ArrayDeque<>();
        for (Entry e : queue) {
            replaced.add(e.commandId().equals(commandId) ? new Entry(commandId, LockResult.newBuilder()
                    .setRequestId(requestId).setGranted(false).setToken(-1).build()) : e);
        }
        byRequest.put(requestId, replaced);
    }

    /** A lock outcome journaled in the node's log as command {@code commandId}. */
    record Entry(String commandId, LockResult result) {
    }
}
