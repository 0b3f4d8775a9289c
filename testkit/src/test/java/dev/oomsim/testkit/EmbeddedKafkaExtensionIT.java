package dev.oomsim.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test kit starts a real KRaft broker: produce, consume, transactions and compaction all really happen. */
class EmbeddedKafkaExtensionIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create()
            .withBrokerProperty("log.cleaner.backoff.ms", "100")
            .withBrokerProperty("log.cleaner.min.compaction.lag.ms", "0");

    @Test
    void recordsProducedAreConsumedInOrder() throws Exception {
        String topic = KAFKA.uniqueTopic("plain");
        KAFKA.createTopic(topic, 1, Map.of());
        try (var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProps())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("k" + i), bytes("v" + i))).get();
            }
        }
        List<String> values = consumeAll(topic, "read_uncommitted", 100);
        assertThat(values).hasSize(100).startsWith("v0", "v1").endsWith("v99");
    }

    @Test
    void readCommittedSeesCommittedTransactionsButNotAbortedOnes() {
        String topic = KAFKA.uniqueTopic("txn");
        KAFKA.createTopic(topic, 1, Map.of());
        Map<String, Object> props = new HashMap<>(KAFKA.producerProps());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-tx");
        try (var producer = new KafkaProducer<byte[], byte[]>(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, bytes("a"), bytes("committed-1")));
            producer.send(new ProducerRecord<>(topic, bytes("b"), bytes("committed-2")));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, bytes("c"), bytes("aborted")));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, bytes("d"), bytes("committed-3")));
            producer.commitTransaction();
        }
        assertThat(consumeAll(topic, "read_committed", 3)).containsExactly("committed-1", "committed-2", "committed-3");
        assertThat(consumeAll(topic, "read_uncommitted", 4)).contains("aborted");
    }

    @Test
    void compactedTopicIsReallyCompactedByTheBroker() throws Exception {
        String topic = KAFKA.uniqueTopic("compact");
        KAFKA.createTopic(topic, 1, Map.of(
                "cleanup.policy", "compact",
                "segment.ms", "100",
                "min.cleanable.dirty.ratio", "0.01",
                "delete.retention.ms", "100"));
        int written = 0;
        try (var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProps())) {
            for (int round = 0; round < 50; round++) {
                for (int key = 0; key < 5; key++) {
                    producer.send(new ProducerRecord<>(topic, bytes("key-" + key), bytes("round-" + round))).get();
                    written++;
                }
            }
        }
        int total = written;
        // The active segment is never cleaned: keep writing a marker key so segments roll, until the
        // cleaner has removed superseded records from the closed ones.
        try (var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProps())) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                producer.send(new ProducerRecord<>(topic, bytes("roll"), bytes("x"))).get();
                return countRecords(topic) < total / 2;
            });
        }
        Map<String, String> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(topic)) {
            latest.put(new String(r.key(), UTF_8), new String(r.value(), UTF_8));
        }
        for (int key = 0; key < 5; key++) {
            assertThat(latest).containsEntry("key-" + key, "round-49");
        }
    }

    private static int countRecords(String topic) {
        return KAFKA.readAll(topic).size();
    }

    private static List<String> consumeAll(String topic, String isolation, int expected) {
        Map<String, Object> props = KAFKA.consumerProps(topic + "-" + isolation);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(props)) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(new String(r.value(), UTF_8)));
                return values.size() >= expected;
            });
        }
        return values;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
