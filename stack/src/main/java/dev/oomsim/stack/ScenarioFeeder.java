package dev.oomsim.stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import dev.oomsim.agent.TaskEventsPosition;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.CloseOptions;
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
 * Feeds node commands to the agents of a running cluster one at a time and reads each one's outcome back from
 * {@code progress}, node states from {@code node-state} and rejections from {@code dead-letter} (read_committed).
 * Commands are stamped with the end of {@code task-events} when the feeder started: tasks spawned there before are
 * known to its requests.
 */
public final class ScenarioFeeder implements AutoCloseable {

    /** How long one request may take to reach its outcome. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Topics topics;
    private final long taskEventsStamp;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, ProgressEvent> progress = new HashMap<>();
    private final Map<String, NodeState> states = new HashMap<>();
    private final Map<String, DeadLetter> rejected = new HashMap<>();

    public ScenarioFeeder(String bootstrapServers, Topics topics) {
        this.topics = topics;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            this.taskEventsStamp = TaskEventsPosition.committedEnd(admin, topics);
        }
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(p);
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(c);
        List<TopicPartition> parts = new ArrayList<>();
        for (TopicSpec<?, ?> t : List.of(topics.progress(), topics.nodeState(), topics.deadLetter())) {
            consumer.partitionsFor(t.name()).forEach(pi -> parts.add(new TopicPartition(t.name(), pi.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    public ProgressEvent request(AllocRequest request, int node) {
        send(request, node);
        return outcome(request.getRequestId());
    }

    /** Sends a request to {@code node}'s agent without waiting for its outcome. */
    public void submit(AllocRequest request, int node) {
        send(request, node);
    }

    /** Waits for the outcome of a request sent before. */
    public ProgressEvent outcome(String requestId) {
        return await(requestId, progress);
    }

    public NodeState snapshot(String requestId, int node) {
        send(AllocRequest.newBuilder().setRequestId(requestId).setOp(AllocOp.SNAPSHOT).setPid(0)
                .setGfpMask(0).setOrder(0).setPreferredNode(node).build(), node);
        return await(requestId, states);
    }

    /** A snapshot of each node, in the order given. */
    public List<NodeState> snapshots(String requestId, List<Integer> nodes) {
        List<NodeState> out = new ArrayList<>();
        for (int node : nodes) {
            out.add(snapshot(requestId + "-" + node, node));
        }
        return out;
    }

    private void send(AllocRequest request, int node) {
        NodeCommand command = NodeCommand.newBuilder().setCommandId(request.getRequestId()).setOrigin(-1)
                .setTaskEventsOffset(taskEventsStamp).setBody(request).build();
        TopicSpec<Integer, NodeCommand> t = topics.allocRequests();
        try {
            producer.send(new ProducerRecord<>(t.name(), node, t.keySerde().serializer().serialize(t.name(), node),
                    t.valueSerde().serializer().serialize(t.name(), command))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending " + request.getRequestId(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send " + request.getRequestId() + ": " + e.getCause().getMessage(),
                    e);
        }
    }

    private <V> V await(String requestId, Map<String, V> into) {
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
        while (!into.containsKey(requestId)) {
            DeadLetter letter = rejected.get(requestId);
            if (letter != null) {
                throw new IllegalStateException("request " + requestId + " was rejected: " + letter.getReason());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no outcome for " + requestId + " within "
                        + REQUEST_TIMEOUT.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                if (r.topic().equals(topics.progress().name())) {
                    ProgressEvent e = topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value());
                    progress.put(e.getRequestId(), e);
                } else if (r.topic().equals(topics.nodeState().name())) {
                    NodeState s = topics.nodeState().valueSerde().deserializer().deserialize(r.topic(), r.value());
                    if (s.getRequestId() != null) {
                        states.put(s.getRequestId(), s);
                    }
                } else {
                    DeadLetter d = topics.deadLetter().valueSerde().deserializer().deserialize(r.topic(), r.value());
                    NodeCommand source = decodeSource(d);
                    if (source != null && source.getBody() instanceof AllocRequest request) {
                        rejected.put(request.getRequestId(), d);
                    }
                }
            }
        }
        return into.get(requestId);
    }

    private NodeCommand decodeSource(DeadLetter d) {
        if (d.getValue() == null) {
            return null;
        }
        byte[] bytes = new byte[d.getValue().remaining()];
        d.getValue().duplicate().get(bytes);
        try {
            return topics.allocRequests().valueSerde().deserializer().deserialize(d.getSourceTopic(), bytes);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
