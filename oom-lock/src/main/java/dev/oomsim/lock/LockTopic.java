package dev.oomsim.lock;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;

import dev.oomsim.schemas.LockClaim;
import dev.oomsim.schemas.serde.AvroEventSerde;
import dev.oomsim.schemas.topics.ConfigRule;
import dev.oomsim.schemas.topics.PartitionRule;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.TopicMismatchException;
import dev.oomsim.schemas.topics.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The lock topic's settings (docs/lock-protocol.md, "Topic"): exactly one partition, {@code cleanup.policy=compact}
 * (not also delete), LogAppendTime, {@code min.compaction.lag.ms} at least the configured M and
 * {@code delete.retention.ms} above it. {@link #ensure} creates the topic when missing (through the schemas
 * module's {@link TopicEnsurer}) and refuses an existing topic that breaks them.
 */
public final class LockTopic {

    private static final Duration METADATA_WAIT = Duration.ofSeconds(15);
    private static final Duration METADATA_RETRY = Duration.ofMillis(50);

    private LockTopic() {
    }

    /** The lock topic named {@code topic} for a bound M = {@code minCompactionLagMs} on a single broker. */
    public static TopicSpec<String, LockClaim> spec(String topic, long minCompactionLagMs) {
        return spec(topic, minCompactionLagMs, 1);
    }

    /**
     * The lock topic for M on {@code brokers} brokers: with 3 or more, {@code min.insync.replicas} must be at least 2.
     */
    public static TopicSpec<String, LockClaim> spec(String topic, long minCompactionLagMs, int brokers) {
        Map<String, ConfigRule> configs = new LinkedHashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, ConfigRule.equalTo(TopicConfig.CLEANUP_POLICY_COMPACT));
        configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, ConfigRule.equalTo("LogAppendTime"));
        configs.put(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, ConfigRule.atLeast(minCompactionLagMs));
        configs.put(TopicConfig.DELETE_RETENTION_MS_CONFIG, ConfigRule.atLeast(minCompactionLagMs + 1));
        if (brokers >= 3) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, ConfigRule.atLeast(2));
        }
        return new TopicSpec<>(topic, Serdes.String(), AvroEventSerde.of(LockClaim.class), new PartitionRule.Exactly(1),
                configs);
    }

    /**
     * Creates the topic when missing, with replication as the cluster allows (up to 3); checks it as it is on the
     * broker.
     *
     * @throws TopicMismatchException naming topic, setting, expected and actual value, when an existing topic is
     *                                not compacted, has more than one partition, uses CreateTime, or keeps
     *                                records for less than M before compaction
     */
    public static void ensure(Admin admin, String topic, long minCompactionLagMs) {
        int brokers;
        try {
            brokers = admin.describeCluster().nodes().get().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted describing the cluster for lock topic " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe the cluster for lock topic " + topic + ": "
                    + e.getCause(), e.getCause());
        }
        short replication = (short) Math.min(3, Math.max(1, brokers));
        TopicEnsurer ensurer = new TopicEnsurer(admin, replication);
        long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
        while (true) {
            try {
                ensurer.ensure(List.of(spec(topic, minCompactionLagMs, brokers)));
                return;
            } catch (IllegalStateException e) {
                // A topic just created (here or by another contender) may not be described yet: ask again shortly.
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                LockSupport.parkNanos(METADATA_RETRY.toNanos());
            }
        }
    }
}
