package dev.oomsim.lock.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Tails the lock topic from offset 0 while a test runs and keeps every record as read, before
 * compaction can touch it. Its own consumer and thread; nothing of the lock's code.
 */
public final class LockTopicRecorder implements AutoCloseable {

    /** The fields of a claim value the history needs. */
    public record ClaimFields(String requestId, long leaseMs) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final TopicPartition partition;
    private final Function<byte[], ClaimFields> decoder;
    private final List<RawRecord> records = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long position;
    private volatile Throwable failure;

    public LockTopicRecorder(String bootstrapServers, String topic, Function<byte[], ClaimFields> decoder) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "history-recorder");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.partition = new TopicPartition(topic, 0);
        this.decoder = decoder;
        consumer.assign(Set.of(partition));
        consumer.seekToBeginning(Set.of(partition));
        this.thread = new Thread(this::run, "history-recorder-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.timestampType() != TimestampType.LOG_APPEND_TIME) {
                            throw new IllegalStateException("record without LogAppendTime: " + r);
                        }
                        ClaimFields claim = r.value() == null ? null : decoder.apply(r.value());
                        RawRecord raw = new RawRecord(r.offset(), r.timestamp(), r.key(),
                                claim == null ? null : claim.requestId(), claim == null ? null : claim.leaseMs());
                        synchronized (records) {
                            records.add(raw);
                        }
                    }
                    position = consumer.position(partition);
                } catch (WakeupException wakeup) {
                    // closing
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(Duration.ZERO);
        }
    }

    /** The offset of the next record to read. */
    public long position() {
        if (failure != null) {
            throw new IllegalStateException("recorder failed", failure);
        }
        return position;
    }

    public List<RawRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
