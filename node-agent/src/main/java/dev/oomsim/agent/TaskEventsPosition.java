package dev.oomsim.agent;

import java.util.Map;
import java.util.concurrent.ExecutionException;

import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The {@code taskEventsOffset} a producer of commands stamps on them (docs/node-agent-design.md): an agent applies
 * every {@code task-events} record below the stamp before the command, so a request names only tasks its producer has
 * seen spawned, and a stamp of 0 means "no task events needed" (the machine file's tasks only).
 */
public final class TaskEventsPosition {

    private TaskEventsPosition() {
    }

    /**
     * The end of the committed {@code task-events} (its last stable offset): stamped on a command, every task event
     * visible to a read_committed reader now takes effect before it.
     */
    public static long committedEnd(Admin admin, Topics topics) {
        TopicPartition partition = new TopicPartition(topics.taskEvents().name(), 0);
        try {
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(partition).get().offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the end of " + partition, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the end of " + partition + ": " + e.getCause().getMessage(),
                    e);
        }
    }

    /**
     * Appends {@code event} to {@code task-events} (keyed by its pid) with a producer outside any transaction and
     * waits for it; returns the stamp that makes it take effect before a command: its offset + 1.
     */
    public static long append(Producer<byte[], byte[]> producer, Topics topics, TaskEvent event) {
        TopicSpec<Integer, TaskEvent> t = topics.taskEvents();
        try {
            RecordMetadata m = producer.send(new ProducerRecord<>(t.name(), 0,
                    t.keySerde().serializer().serialize(t.name(), event.getPid()),
                    t.valueSerde().serializer().serialize(t.name(), event))).get();
            return m.offset() + 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted appending " + event.getKind() + " of pid " + event.getPid(),
                    e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot append " + event.getKind() + " of pid " + event.getPid() + ": "
                    + e.getCause().getMessage(), e);
        }
    }
}
