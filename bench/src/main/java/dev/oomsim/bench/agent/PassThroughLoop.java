package dev.oomsim.bench.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.oomsim.agent.runtime.CommandLog;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The Kafka I/O floor of a node agent: the agent's exactly-once loop with the simulation taken out. It consumes one
 * partition read_committed from offset 0 and, per poll batch, copies every record (key and value bytes as they are)
 * to a target topic inside one Kafka transaction that also commits the consumed offsets through
 * {@code sendOffsetsToTransaction}, exactly as {@code CommandLog} does with its handler's output, with
 * {@code CommandLog}'s own client settings ({@link CommandLog#consumerConfig}, {@link CommandLog#producerConfig}).
 *
 * <p>One thread runs {@link #run()}; {@link #close()} may be called from any thread.
 */
public final class PassThroughLoop implements Runnable, AutoCloseable {

    private final TopicPartition source;
    private final String target;
    private final String groupId;
    private final Duration pollTimeout;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicBoolean running = new AtomicBoolean(true);

    /** A loop copying {@code source} to {@code target}, with {@code transactionalId} (also its group id). */
    public PassThroughLoop(String bootstrapServers, TopicPartition source, String target, String transactionalId,
                           Duration pollTimeout) {
        this.source = source;
        this.target = target;
        this.groupId = transactionalId;
        this.pollTimeout = pollTimeout;
        this.consumer = new KafkaConsumer<>(CommandLog.consumerConfig(bootstrapServers, groupId, groupId
                + "-commands"));
        this.producer = new KafkaProducer<>(CommandLog.producerConfig(bootstrapServers, transactionalId,
                transactionalId));
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            consumer.assign(List.of(source));
            consumer.seek(source, 0);
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(pollTimeout);
                List<ConsumerRecord<byte[], byte[]>> records = batch.records(source);
                if (records.isEmpty()) {
                    continue;
                }
                producer.beginTransaction();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(target, null, r.key(), r.value()));
                }
                long next = records.get(records.size() - 1).offset() + 1;
                producer.sendOffsetsToTransaction(Map.of(source, new OffsetAndMetadata(next)),
                        new ConsumerGroupMetadata(groupId));
                producer.commitTransaction();
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } finally {
            producer.close(Duration.ofSeconds(5));
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** Stops the loop; an open transaction is aborted when the producer closes. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
