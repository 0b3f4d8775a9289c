package dev.oomsim.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The floor of an exactly-once consume→produce step, one record at a time: a record produced to an input partition
 * (linger 0, synchronous send), read by a read_committed consumer, copied to an output partition in a transaction
 * that also carries the consumed offset ({@code sendOffsetsToTransaction}), committed, and read by a second
 * read_committed consumer. Every consumer fetches with {@code fetch.max.wait.ms=0}, as the round-trip baseline does;
 * the transactional producer is the one an agent would use. Timed from the send to the output being read.
 *
 * <p>An OOM kill in the agent is exactly such a step (the {@code may_oom} request in, the {@code KillEvent} out in the
 * transaction that commits the request's offset) plus the cluster {@code oom_lock}'s trylock, one more produce→read
 * round trip: that sum is the kill-latency row's yardstick.
 */
public final class TransactionalRoundTripLoop {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final long DEADLINE_NANOS = Duration.ofSeconds(60).toNanos();

    private TransactionalRoundTripLoop() {
    }

    /**
     * Runs {@code warmup} unmeasured steps, then {@code count} measured ones, from partition 0 of {@code inTopic} to
     * partition 0 of {@code outTopic} (both must exist and be written by no one else).
     */
    public static LatencySummary measure(String bootstrapServers, String inTopic, String outTopic, int warmup,
            int count,
                                         int recordSizeBytes) {
        TopicPartition in = new TopicPartition(inTopic, 0);
        TopicPartition out = new TopicPartition(outTopic, 0);
        String group = "oomsim-bench-txn-" + inTopic;
        SplittableRandom random = new SplittableRandom(7);
        byte[] value = new byte[recordSizeBytes];
        long[] nanos = new long[count];
        try (KafkaProducer<byte[],
                byte[]> driver = new KafkaProducer<>(producerProps(bootstrapServers, null, "driver"));
             KafkaConsumer<byte[], byte[]> step = new KafkaConsumer<>(consumerProps(bootstrapServers, "step"));
             KafkaProducer<byte[], byte[]> transactional = new KafkaProducer<>(
                     producerProps(bootstrapServers, "oomsim-bench-txn-" + inTopic, "step"));
             KafkaConsumer<byte[], byte[]> watch = new KafkaConsumer<>(consumerProps(bootstrapServers, "watch"))) {
            transactional.initTransactions();
            assignAtEnd(step, in);
            assignAtEnd(watch, out);
            ConsumerGroupMetadata metadata = new ConsumerGroupMetadata(group);
            for (int i = -warmup; i < count; i++) {
                for (int b = 0; b < value.length; b++) {
                    value[b] = (byte) (random.nextInt(26) + 'a');
                }
                long start = System.nanoTime();
                send(driver, in, value);
                ConsumerRecord<byte[], byte[]> record = pollOne(step, in, value, start);
                transactional.beginTransaction();
                transactional.send(new ProducerRecord<>(out.topic(), out.partition(), null, record.value()));
                transactional.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(record.offset() + 1)),
                        metadata);
                transactional.commitTransaction();
                pollOne(watch, out, value, start);
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
        }
        return LatencySummary.ofNanos(nanos);
    }

    private static void assignAtEnd(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp) {
        consumer.assign(List.of(tp));
        consumer.seekToEnd(List.of(tp));
        consumer.position(tp);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, TopicPartition tp, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BaselineException("interrupted during a transactional round trip", e);
        } catch (ExecutionException e) {
            throw new BaselineException("send to " + tp + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static ConsumerRecord<byte[], byte[]> pollOne(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp,
                                                          byte[] expected, long start) {
        while (true) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            if (!records.isEmpty()) {
                ConsumerRecord<byte[], byte[]> r = records.iterator().next();
                if (records.count() != 1 || !Arrays.equals(r.value(), expected)) {
                    throw new BaselineException("transactional round trip on " + tp + " read " + records.count()
                            + " record(s) that are not the one sent: is someone else writing to the topic?");
                }
                return r;
            }
            if (System.nanoTime() - start > DEADLINE_NANOS) {
                throw new BaselineException("a record did not reach " + tp + " within 60 s");
            }
        }
    }

    private static Map<String, Object> producerProps(String bootstrapServers, String transactionalId, String role) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "oomsim-bench-txn-" + role);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        }
        return p;
    }

    private static Map<String, Object> consumerProps(String bootstrapServers, String role) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 0,
                ConsumerConfig.CLIENT_ID_CONFIG, "oomsim-bench-txn-" + role,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    }
}
