package dev.oomsim.lock;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.lock.contention.LockContender;
import dev.oomsim.lock.history.GrantInterval;
import dev.oomsim.lock.history.LockTopicRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Locks, recorders and raw writes against a test broker. */
final class LockFixtures {

    private LockFixtures() {
    }

    static LockConfig config(String topic, String contender, Duration lease, Duration margin) {
        return LockConfig.defaults(topic, contender).withLease(lease, margin).withBackoff(Duration.ofMillis(1), 4);
    }

    static CompactedTopicLock start(String bootstrapServers, LockConfig config, MeterRegistry registry) {
        return CompactedTopicLock.builder(config, Map.of("bootstrap.servers", bootstrapServers)).meterRegistry(registry)
                .start();
    }

    static LockTopicRecorder recorder(String bootstrapServers, String topic) {
        return new LockTopicRecorder(bootstrapServers, topic, bytes -> {
            ClaimValue v = AvroClaimCodec.INSTANCE.decode(bytes);
            return new LockTopicRecorder.ClaimFields(v.requestId(), v.leaseMs());
        });
    }

    /** What the contenders saw, as the history checker's intervals. */
    static List<GrantInterval> intervals(List<LockContender.Held> held) {
        return held.stream().map(h -> new GrantInterval(h.grant().key().asString(), h.grant().token(),
                h.grant().acquiredAtNanos(), h.endNanos(), h.releaseOffset())).toList();
    }

    /** Writes one record straight to the lock topic, as a late or foreign writer would; returns its offset. */
    static long write(String bootstrapServers, String topic, String key, ClaimValue claimOrNull) throws Exception {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String,
                byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            byte[] value = claimOrNull == null ? null : AvroClaimCodec.INSTANCE.encode(claimOrNull);
            return producer.send(new ProducerRecord<>(topic, 0, key, value)).get().offset();
        }
    }
}
