package dev.oomsim.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The produce→consume round trip of one record at a time: Kafka's {@code EndToEndLatency} loop, with the same client
 * settings (producer linger 0 and a synchronous send, consumer assigned to the partition with
 * {@code fetch.max.wait.ms=0}), timed in nanoseconds.
 *
 * <p>Why not the tool itself: {@code EndToEndLatency} keeps its latencies in whole milliseconds (a 0.6 ms round trip
 * counts as 0, so its p50 here would read "0 ms" and every ratio against it would divide by zero), and its
 * {@code main} always ends in {@code Exit.exit}.
 */
public final class RoundTripLoop {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final long ROUND_TRIP_DEADLINE_NANOS = Duration.ofSeconds(60).toNanos();

    private RoundTripLoop() {
    }

    /**
     * Runs {@code warmup} unmeasured round trips, then {@code count} measured ones, on partition 0 of {@code topic}
     * (which must exist and be written by no one else).
     */
    public static LatencySummary measure(String bootstrapServers, String topic, int warmup, int count,
            int recordSizeBytes) {
        TopicPartition tp = new TopicPartition(topic, 0);
        Map<String, Object> producerProps = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.CLIENT_ID_CONFIG, "oomsim-bench-rtt-producer",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        Map<String, Object> consumerProps = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 0,
                ConsumerConfig.CLIENT_ID_CONFIG, "oomsim-bench-rtt-consumer",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        SplittableRandom random = new SplittableRandom(42);
        byte[] value = new byte[recordSizeBytes];
        long[] nanos = new long[count];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            for (int i = -warmup; i < count; i++) {
                fill(value, random);
                long start = System.nanoTime();
                roundTrip(producer, consumer, tp, value, start);
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
        }
        return LatencySummary.ofNanos(nanos);
    }

    private static void roundTrip(KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> consumer,
                                  TopicPartition tp, byte[] value, long start) {
        try {
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BaselineException("interrupted during a round trip", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new BaselineException("round-trip send to " + tp + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        }
        while (true) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            if (!records.isEmpty()) {
                if (records.count() != 1 || !Arrays.equals(records.iterator().next().value(), value)) {
                    throw new BaselineException("round trip on " + tp + " read back " + records.count()
                            + " record(s) that are not the one sent: is someone else writing to the topic?");
                }
                return;
            }
            if (System.nanoTime() - start > ROUND_TRIP_DEADLINE_NANOS) {
                throw new BaselineException("a record sent to " + tp + " did not come back within 60 s");
            }
        }
    }

    private static void fill(byte[] value, SplittableRandom random) {
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (random.nextInt(26) + 'a');
        }
    }
}
