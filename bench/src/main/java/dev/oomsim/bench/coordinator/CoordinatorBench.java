package dev.oomsim.bench.coordinator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import dev.oomsim.coordinator.CoordinatorConfig;
import dev.oomsim.coordinator.CoordinatorService;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;

/** What the coordinator rows share: the Streams settings both sides of a comparison run with, the input, clean-up. */
public final class CoordinatorBench {

    /** The coordinator's own default commit interval: how soon a folded view is visible. */
    public static final Duration COMMIT_INTERVAL = CoordinatorService.Spec.DEFAULT_COMMIT_INTERVAL;

    private CoordinatorBench() {
    }

    /** The coordinator's topology settings for {@code topics}, under its own application id. */
    public static CoordinatorConfig config(Topics topics, String applicationId) {
        CoordinatorConfig d = CoordinatorConfig.defaults(topics);
        return new CoordinatorConfig(topics, applicationId, d.rateWindow(), d.grace(), d.recentKills());
    }

    /**
     * The Streams settings of both the coordinator and its pass-through baseline, {@link CoordinatorService#tuning}
     * (exactly-once v2, the commit interval, the producer's retry backoff), a state directory, one stream thread.
     */
    public static Properties streamsProperties(String bootstrapServers, String applicationId, Path stateDir,
            Duration commitInterval) {
        Properties p = CoordinatorService.tuning(commitInterval);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        return p;
    }

    /**
     * The baseline topology: the coordinator's three agent-written inputs read as bytes, merged and written as they
     * came to {@code output}, nothing decoded, no state.
     */
    public static Topology passThrough(List<String> inputs, String output) {
        StreamsBuilder b = new StreamsBuilder();
        KStream<byte[], byte[]> merged = null;
        for (String input : inputs) {
            KStream<byte[], byte[]> s = b.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()));
            merged = merged == null ? s : merged.merge(s);
        }
        if (merged == null) {
            throw new IllegalArgumentException("a pass-through needs at least one input");
        }
        merged.to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        return b.build();
    }

    /** Produces {@code records} (idempotent, acks=all, batched) and waits until every one is acknowledged. */
    public static void produce(String bootstrapServers, List<ProducerRecord<byte[], byte[]>> records) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "oomsim-bench-coordinator-mix");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> acks = new java.util.ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            producer.flush();
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted producing the coordinator mix", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("producing the coordinator mix failed: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /** Deletes {@code dir} and everything under it. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
