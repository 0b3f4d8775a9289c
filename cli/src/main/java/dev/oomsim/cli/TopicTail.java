package dev.oomsim.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Every partition of one topic read without a consumer group (read_committed: aborted agent transactions never show),
 * from its beginning or from its end; {@link #reachedEnd()} says whether the reader is past every record that was
 * committed when it started. Owned by one thread.
 */
final class TopicTail implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> endAtStart;

    TopicTail(String bootstrap, String topic, boolean fromBeginning) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) BrokerOptions.CONNECT_TIMEOUT.toMillis());
        this.consumer = new KafkaConsumer<>(c);
        try {
            this.partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            // Seeks are lazy: fix the start now, so that what is produced after the constructor returns is read.
            partitions.forEach(consumer::position);
            this.endAtStart = consumer.endOffsets(partitions);
        } catch (RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
    }

    /** The records that arrived within {@code timeout}, in partition order. */
    ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        return consumer.poll(timeout);
    }

    /** Whether every record committed when this reader started has been returned. */
    boolean reachedEnd() {
        for (TopicPartition p : partitions) {
            if (consumer.position(p) < endAtStart.get(p)) {
                return false;
            }
        }
        return true;
    }

    /** Records the reader has still to return of those committed when it started. */
    long remaining() {
        long n = 0;
        for (TopicPartition p : partitions) {
            n += Math.max(0, endAtStart.get(p) - consumer.position(p));
        }
        return n;
    }

    static String where(ConsumerRecord<?, ?> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
