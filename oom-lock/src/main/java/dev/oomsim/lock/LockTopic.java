package dev.oomsim.lock;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The lock topic's settings (lock-protocol.md, "Topic"): one partition, compacted, LogAppendTime,
 * {@code min.compaction.lag.ms} = M and {@code delete.retention.ms} above it. {@link #ensure}
 * creates it when missing and refuses an existing topic that breaks them.
 */
public final class LockTopic {

    private LockTopic() {
    }

    /** The settings a new lock topic is created with, for M = {@code minCompactionLagMs} on {@code brokers} brokers. */
    public static Map<String, String> settings(long minCompactionLagMs, int brokers) {
        Map<String, String> settings = new HashMap<>();
        settings.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        settings.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
        settings.put(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(minCompactionLagMs));
        settings.put(TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(2 * minCompactionLagMs));
        if (brokers >= 3) {
            settings.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        }
        return settings;
    }

    /**
     * Refuses an existing topic that is not compacted (or also deletes), has more than one
     * partition, uses CreateTime, or has a {@code min.compaction.lag.ms} below the bound.
     *
     * @throws LockTopicMisconfiguredException naming topic, setting, expected and actual value
     */
    public static void check(String topic, int partitions, Map<String, String> settings, long minCompactionLagBoundMs) {
        if (partitions != 1) {
            throw new LockTopicMisconfiguredException(topic, "partitions", "1", Integer.toString(partitions));
        }
        String policy = settings.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy == null || !Set.of(policy.replace(" ", "").split(",")).equals(Set.of(TopicConfig.CLEANUP_POLICY_COMPACT))) {
            throw new LockTopicMisconfiguredException(topic, TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT, String.valueOf(policy));
        }
        String timestampType = settings.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
        if (!"LogAppendTime".equals(timestampType)) {
            throw new LockTopicMisconfiguredException(topic, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                    "LogAppendTime", String.valueOf(timestampType));
        }
        String lag = settings.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG);
        long lagMs;
        try {
            lagMs = Long.parseLong(String.valueOf(lag));
        } catch (NumberFormatException e) {
            lagMs = -1;
        }
        if (lagMs < minCompactionLagBoundMs) {
            throw new LockTopicMisconfiguredException(topic, TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
                    ">= " + minCompactionLagBoundMs, String.valueOf(lag));
        }
    }

    /** Creates the topic when missing, then checks it as it is on the broker. */
    public static void ensure(Admin admin, String topic, long minCompactionLagMs, Duration timeout) {
        try {
            int brokers = admin.describeCluster().nodes().get().size();
            short replication = (short) Math.min(3, Math.max(1, brokers));
            NewTopic wanted = new NewTopic(topic, 1, replication).configs(settings(minCompactionLagMs, brokers));
            try {
                admin.createTopics(List.of(wanted)).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            CompletableFuture<TopicDescription> description =
                    admin.describeTopics(List.of(topic)).topicNameValues().get(topic).toCompletionStage().toCompletableFuture();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            Map<String, String> settings = new HashMap<>();
            for (ConfigEntry entry : config.entries()) {
                settings.put(entry.name(), entry.value());
            }
            int partitions = CompactedTopicLog.await(description, timeout, "describe " + topic).partitions().size();
            check(topic, partitions, settings, minCompactionLagMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted ensuring lock topic " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot ensure lock topic " + topic + ": " + e.getCause(), e.getCause());
        }
    }
}
