package dev.oomsim.agent.runtime;

import java.util.Optional;

import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeSnapshot;
import dev.oomsim.schemas.TaskEvent;

/**
 * The node behind a {@link CommandLog}: a deterministic fold of the node's command log and of the task events
 * each command says it had seen. Called only from the loop's thread.
 */
public interface CommandHandler {

    /**
     * Applies the task event at {@code offset} of {@code task-events} (offsets arrive in order, once each; tombstones
     * are skipped). {@code out} rejects the task event itself; every agent reads it, so the handler decides which one
     * reports a bad one.
     */
    void applyTaskEvent(TaskEvent event, long offset, CommandOutput out);

    /** Handles the command at {@code offset} of the node's command log. */
    void handle(NodeCommand command, long offset, CommandOutput out);

    /**
     * Before a replay, each decodable command from where the replay starts to the end of the committed log, in order:
     * a command handled during the replay may have journaled a record that the log holds only after the replayed
     * range (the handler's own journal, e.g. a lock grant used at once and appended in the same transaction).
     */
    default void preview(NodeCommand command, long offset) {
    }

    /**
     * The handler's state as a snapshot to restart from, when nothing is in flight (no request started and not ended),
     * else empty. The loop fills in the offsets the snapshot covers.
     */
    default Optional<NodeSnapshot.Builder> snapshot() {
        return Optional.empty();
    }

    /**
     * Once per fold, when the replay is over and before the first live command: whether the state the replay left
     * can go on live. A handler that finds it cannot (a request holding an {@code oom_lock} grant that the previous
     * incarnation took and the restart withdrew) journals why through {@code out} and returns true; the loop commits
     * that journal and restarts the fold from a fresh handler, whose replay reads it.
     */
    default boolean goLive(CommandOutput out) {
        return false;
    }

    /**
     * Live, after each poll of the log (whether it brought commands or not): what the handler has to send on its own
     * account, in a transaction of its own (e.g. the wake of a request waiting for a lock hint). By default, nothing.
     */
    default void idle(CommandOutput out) {
    }

    /**
     * The fold this handler built is given up (it restarts from a fresh handler, {@link #goLive}): let go of what it
     * holds, e.g. the threads of requests it suspended. It is not called again. By default, nothing to let go.
     */
    default void abandon() {
    }

    /** Replaces the state of a handler that has handled nothing yet with the state {@code snapshot} holds. */
    default void restore(NodeSnapshot snapshot) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restore a snapshot");
    }
}
