package dev.oomsim.agent.runtime;

import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.service.RejectReason;

/**
 * What a command handler may do besides changing its node: send records, inside the loop's current
 * transaction. While {@link #replaying()} the loop rebuilds state after a restart and every send is dropped:
 * those records were committed by the run that first processed the command.
 */
public interface CommandOutput {

    /** Whether the command is being replayed (side effects off). */
    boolean replaying();

    /** Appends a command to {@code node}'s command log. */
    void toNode(int node, NodeCommand command);

    /** Sends a record to a catalogue topic. */
    <K, V> void send(TopicSpec<K, V> topic, K key, V value);

    /** Sends the command being handled to dead-letter with {@code reason}. */
    void reject(RejectReason reason);

    /**
     * Runs {@code action} once the loop's current transaction has committed: for effects outside Kafka's transaction
     * that must not precede what was decided in it (releasing the cluster {@code oom_lock} after the kill it covered is
     * durable). Dropped while replaying.
     */
    void afterCommit(Runnable action);
}
