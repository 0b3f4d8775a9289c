package dev.oomsim.schemas.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates missing topics and checks existing ones against their {@link TopicSpec}. Idempotent: running it again,
 * or from several services at once, changes nothing. A wrong existing topic is never altered: it raises a
 * {@link TopicMismatchException} naming topic, setting, expected and actual value.
 */
public final class TopicEnsurer {

    private static final Logger log = LoggerFactory.getLogger(TopicEnsurer.class);

    private static final java.time.Duration VISIBILITY_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final Admin admin;
    private final short replicationFactor;

    public TopicEnsurer(Admin admin, short replicationFactor) {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be >= 1, was " + replicationFactor);
        }
        this.admin = admin;
        this.replicationFactor = replicationFactor;
    }

    /** Ensures every topic exists and is as specified. */
    public void ensure(Collection<? extends TopicSpec<?, ?>> specs) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> toCreate = new ArrayList<>();
            for (TopicSpec<?, ?> spec : specs) {
                if (!existing.contains(spec.name())) {
                    Map<String, String> configs = spec.configs().entrySet().stream()
                            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().toCreate()));
                    toCreate.add(new NewTopic(spec.name(), spec.partitions().toCreate(), replicationFactor)
                            .configs(configs));
                }
            }
            for (NewTopic topic : toCreate) {
                try {
                    admin.createTopics(List.of(topic)).all().get();
                    log.info("created topic {} ({} partitions, {})", topic.name(), topic.numPartitions(),
                            topic.configs());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // Another service created it meanwhile: it is checked below like any existing topic.
                }
            }
            verifyOnceVisible(specs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while ensuring topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot ensure topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * A topic just created may not be in every broker's metadata yet ("does not host this topic-partition"):
     * verification retries that, and only that, for a bounded time.
     */
    private void verifyOnceVisible(Collection<? extends TopicSpec<?, ?>> specs) throws InterruptedException,
            ExecutionException {
        long deadline = System.nanoTime() + VISIBILITY_TIMEOUT.toNanos();
        while (true) {
            try {
                verify(specs);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(50); // metadata propagation; bounded by VISIBILITY_TIMEOUT
            }
        }
    }

    private void verify(Collection<? extends TopicSpec<?, ?>> specs) throws InterruptedException, ExecutionException {
        List<String> names = specs.stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
        List<ConfigResource> resources = names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
        for (TopicSpec<?, ?> spec : specs) {
            int partitions = descriptions.get(spec.name()).partitions().size();
            if (!spec.partitions().accepts(partitions)) {
                throw new TopicMismatchException(spec.name(), "partitions", spec.partitions().describe(),
                        Integer.toString(partitions));
            }
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            for (Map.Entry<String, ConfigRule> rule : spec.configs().entrySet()) {
                ConfigEntry entry = config.get(rule.getKey());
                String actual = entry == null ? null : entry.value();
                if (!rule.getValue().accepts(actual)) {
                    throw new TopicMismatchException(spec.name(), rule.getKey(), rule.getValue().describe(), actual);
                }
            }
        }
    }
}
