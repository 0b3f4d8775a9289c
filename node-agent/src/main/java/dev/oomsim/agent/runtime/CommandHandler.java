package dev.oomsim.agent.runtime;

import dev.oomsim.schemas.NodeCommand;
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
}
