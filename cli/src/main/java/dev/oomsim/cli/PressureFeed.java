package dev.oomsim.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.serde.EventDecodingException;
import dev.oomsim.schemas.topics.TopicSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The coordinator's compacted {@code pressure} topic read from its beginning and folded to the latest view per scope
 * ({@code node-<id>}, {@code cluster}); a tombstone removes its scope, an undecodable record is reported on {@code err}
 * by its position and skipped.
 */
final class PressureFeed implements AutoCloseable {

    private final TopicSpec<String, PressureView> topic;
    private final TopicTail tail;
    private final PrintWriter err;
    private final String command;
    private final Map<String, PressureView> latest = new TreeMap<>();

    PressureFeed(String bootstrap, TopicSpec<String, PressureView> topic, PrintWriter err, String command) {
        this.topic = topic;
        this.err = err;
        this.command = command;
        this.tail = new TopicTail(bootstrap, topic.name(), true);
    }

    /** Folds what one poll returns; true when a view changed. */
    boolean poll(Duration timeout) {
        boolean changed = false;
        for (ConsumerRecord<byte[], byte[]> r : tail.poll(timeout)) {
            String key = r.key() == null ? null : topic.keySerde().deserializer().deserialize(r.topic(), r.key());
            PressureView view;
            try {
                view = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
            } catch (EventDecodingException e) {
                err.println(command + ": record " + TopicTail.where(r) + " is not a pressure view: " + e.getMessage());
                continue;
            }
            String scope = view != null ? view.getScope() : key;
            if (scope == null) {
                continue;
            }
            if (view == null) {
                latest.remove(scope);
            } else {
                latest.put(scope, view);
            }
            changed = true;
        }
        return changed;
    }

    /** Whether every record that was in the topic when last asked has been folded. */
    boolean reachedEnd() {
        return tail.reachedEnd();
    }

    /** The latest view of every scope seen. */
    Collection<PressureView> views() {
        return latest.values();
    }

    /** The latest cluster-wide view, once the coordinator has written one. */
    Optional<PressureView> cluster() {
        return Optional.ofNullable(latest.get("cluster"));
    }

    @Override
    public void close() {
        tail.close();
    }
}
