package dev.oomsim.lock.contention;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The broker's own produce→consume round trip, one record at a time, as Kafka's EndToEndLatency
 * measures it: send with acks=all, poll until the record is read back. The yardstick for the lock.
 */
public final class BrokerRoundTrip {

    private BrokerRoundTrip() {
    }

    /**
     * Round trips of one 100-byte record each on partition 0 of {@code topic}, after {@code warmup} unmeasured ones.
     */
    public static LatencySamples measure(String bootstrapServers, String topic, int warmup, int samples) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        TopicPartition partition = new TopicPartition(topic, 0);
        LatencySamples result = new LatencySamples();
        byte[] value = new byte[100];
        try (KafkaProducer<byte[],
                byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
             KafkaConsumer<byte[],
                     byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            consumer.assign(Set.of(partition));
            consumer.seekToEnd(Set.of(partition));
            consumer.position(partition);
            for (int i = 0; i < warmup + samples; i++) {
                long start = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, 0, null, value));
                boolean seen = false;
                long deadline = start + Duration.ofSeconds(10).toNanos();
                while (!seen) {
                    for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(100))) {
                        seen = true;
                    }
                    if (!seen && System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("round trip " + i + " not read back within 10 s");
                    }
                }
                if (i >= warmup) {
                    result.add(System.nanoTime() - start);
                }
            }
        }
        return result;
    }
}
