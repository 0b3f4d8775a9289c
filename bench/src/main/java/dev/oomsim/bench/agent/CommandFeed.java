package dev.oomsim.bench.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
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
 * Writes the request streams to {@code alloc-requests} before a loop starts (so the loop, not the load generator,
 * sets the pace), and checks afterwards that the agents reported what the kernel model says each request gets.
 */
public final class CommandFeed {

    private CommandFeed() {
    }

    /** Each mix's commands, encoded once, in order, with its partition. */
    public record Encoded(int node, List<byte[]> values) {
    }

    public static List<Encoded> encode(Topics topics, List<AllocationMix.Mix> mixes) {
        TopicSpec<Integer, NodeCommand> spec = topics.allocRequests();
        List<Encoded> out = new ArrayList<>();
        for (AllocationMix.Mix mix : mixes) {
            List<byte[]> values = new ArrayList<>(mix.size());
            for (NodeCommand c : mix.commands()) {
                values.add(spec.valueSerde().serializer().serialize(spec.name(), c));
            }
            out.add(new Encoded(mix.node(), values));
        }
        return out;
    }

    /** Produces every stream to its node's partition of {@code topics}' {@code alloc-requests}, acknowledged. */
    public static void produce(String bootstrapServers, Topics topics, List<Encoded> streams) {
        TopicSpec<Integer, NodeCommand> spec = topics.allocRequests();
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "oomsim-bench-feed");
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[],
                byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Encoded s : streams) {
                byte[] key = spec.keySerde().serializer().serialize(spec.name(), s.node());
                for (byte[] v : s.values()) {
                    producer.send(new ProducerRecord<>(spec.name(), s.node(), key, v), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("feeding alloc-requests failed: " + failure.get().getMessage(),
                    failure.get());
        }
    }

    /**
     * Reads {@code progress} back (read_committed) and checks it holds exactly one outcome per request of the mixes,
     * each what the kernel model gave: the same first pfn for an allocation, a free for a free.
     */
    public static void verify(String bootstrapServers, Topics topics, List<AllocationMix.Mix> mixes, String idPrefix,
                              Duration timeout) {
        long total = mixes.stream().mapToLong(AllocationMix.Mix::size).sum();
        Map<Integer, AllocationMix.Mix> byNode = new HashMap<>();
        mixes.forEach(m -> byNode.put(m.node(), m));
        Map<Integer, boolean[]> seen = new HashMap<>();
        mixes.forEach(m -> seen.put(m.node(), new boolean[m.size()]));
        TopicSpec<Integer, ProgressEvent> progress = topics.progress();
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        long read = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[],
                byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(progress.name()).stream()
                    .map(pi -> new TopicPartition(progress.name(), pi.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (read < total) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("only " + read + " of " + total + " outcomes readable on "
                            + progress.name());
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    check(progress.valueSerde().deserializer().deserialize(r.topic(), r.value()), byNode, seen,
                            idPrefix);
                    read++;
                }
            }
        }
    }

    private static void check(ProgressEvent e, Map<Integer, AllocationMix.Mix> byNode, Map<Integer, boolean[]> seen,
                              String idPrefix) {
        String id = e.getRequestId();
        int dash = id.indexOf('-', idPrefix.length());
        if (!id.startsWith(idPrefix) || dash < 0) {
            throw new IllegalStateException("an outcome for request " + id + ", which the bench did not send");
        }
        int node = Integer.parseInt(id.substring(idPrefix.length(), dash));
        int i = Integer.parseInt(id.substring(dash + 1));
        AllocationMix.Mix mix = byNode.get(node);
        if (seen.get(node)[i]) {
            throw new IllegalStateException("two outcomes for request " + id);
        }
        seen.get(node)[i] = true;
        long expected = mix.expectedPfn()[i];
        if (expected >= 0) {
            if (e.getPage() == null || e.getPage().getPfn() != expected) {
                throw new IllegalStateException("request " + id + " got " + e.getPage() + " on the agent, pfn "
                        + expected
                        + " in the kernel model");
            }
        } else if (e.getKind() != dev.oomsim.schemas.OutcomeKind.FREE) {
            throw new IllegalStateException("request " + id + " is a free, its outcome a " + e.getKind());
        }
    }
}
