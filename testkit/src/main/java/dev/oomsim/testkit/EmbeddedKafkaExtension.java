package dev.oomsim.testkit;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.oomsim.broker.BrokerConfig;
import dev.oomsim.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs a real Apache Kafka broker (KRaft, in this JVM) for one test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();
 *
 * String topic = KAFKA.uniqueTopic("alloc-requests");
 * KAFKA.createTopic(topic, 4, Map.of());
 * }</pre>
 *
 * <p>Every topic name from {@link #uniqueTopic(String)} is new, so tests of one class never see each
 * other's records. The broker writes under {@code java.io.tmpdir} (the build points it into {@code target/}).
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {

    private static final AtomicInteger TOPIC_COUNTER = new AtomicInteger();

    private BrokerConfig config;
    private EmbeddedKafkaBroker broker;
    private Admin admin;

    private EmbeddedKafkaExtension(BrokerConfig config) {
        this.config = config;
    }

    public static EmbeddedKafkaExtension create() {
        return new EmbeddedKafkaExtension(BrokerConfig.defaults());
    }

    /** Sets a broker property before the broker starts (e.g. a fast log cleaner for compaction tests). */
    public EmbeddedKafkaExtension withBrokerProperty(String key, String value) {
        if (broker != null) {
            throw new IllegalStateException("broker already started; set properties at registration");
        }
        config = config.withOverride(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = EmbeddedKafkaBroker.start(config);
        admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** The running broker, for tests that stop and restart it. */
    public EmbeddedKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker runs only between beforeAll and afterAll");
        }
        return broker;
    }

    /** An Admin client for this broker, shared by the test class. */
    public Admin admin() {
        broker();
        return admin;
    }

    /** A topic name never used before in this JVM: {@code base-N-xxxxxxxx}. */
    public String uniqueTopic(String base) {
        return base + "-" + TOPIC_COUNTER.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a topic and waits until the broker has it. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
        try {
            admin().createTopics(List.of(topic)).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /** Byte-array producer settings for this broker; callers add or replace entries. */
    public Map<String, Object> producerProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return p;
    }

    /** Byte-array consumer settings for this broker, reading from the earliest offset, read_committed. */
    public Map<String, Object> consumerProps(String groupId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return p;
    }

    /**
     * Every committed record of every partition of {@code topic} from offset 0 up to its end at the time of the call,
     * partition by partition, each partition in offset order.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[],
                byte[]> consumer = new KafkaConsumer<>(consumerProps("read-all-" + UUID.randomUUID()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(50)).forEach(out::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return out;
    }

    /** The same settings as {@link #consumerProps(String)}, as {@link Properties}. */
    public Properties consumerProperties(String groupId) {
        Properties p = new Properties();
        p.putAll(consumerProps(groupId));
        return p;
    }
}
