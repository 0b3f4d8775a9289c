package dev.oomsim.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopicEnsurerIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    @Test
    void createsEveryCatalogueTopicWithItsSettingsAndIsIdempotent() throws Exception {
        Topics topics = new Topics(KAFKA.uniqueTopic("fresh") + ".", 4);
        TopicEnsurer ensurer = new TopicEnsurer(KAFKA.admin(), (short) 1);

        ensurer.ensure(topics.all());
        ensurer.ensure(topics.all());

        Set<String> names = KAFKA.admin().listTopics().names().get();
        assertThat(names).containsAll(topics.all().stream().map(TopicSpec::name).toList());
        assertThat(KAFKA.admin().describeTopics(List.of(topics.allocRequests().name())).allTopicNames().get()
                .get(topics.allocRequests().name()).partitions()).hasSize(4);
        ConfigResource lock = new ConfigResource(ConfigResource.Type.TOPIC, topics.oomLock().name());
        Config lockConfig = KAFKA.admin().describeConfigs(List.of(lock)).all().get().get(lock);
        assertThat(lockConfig.get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(lockConfig.get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
        assertThat(Long.parseLong(lockConfig.get("min.compaction.lag.ms").value()))
                .isEqualTo(Topics.DEFAULT_LOCK_MIN_COMPACTION_LAG_MS);
    }

    @Test
    void refusesAnExistingLockTopicThatIsNotCompactedNamingTopicSettingExpectedAndActual() {
        Topics topics = new Topics(KAFKA.uniqueTopic("wrong-policy") + ".", 2);
        KAFKA.createTopic(topics.oomLock().name(), 1, Map.of("cleanup.policy", "delete"));

        assertThatThrownBy(() -> new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all()))
                .isInstanceOfSatisfying(TopicMismatchException.class, e -> {
                    assertThat(e.topic()).isEqualTo(topics.oomLock().name());
                    assertThat(e.setting()).isEqualTo("cleanup.policy");
                    assertThat(e.expected()).isEqualTo("compact");
                    assertThat(e.actual()).isEqualTo("delete");
                })
                .hasMessageContaining(topics.oomLock().name()
                        + " exists with cleanup.policy=delete, but oomsim needs cleanup.policy compact");
    }

    @Test
    void refusesTooFewAllocRequestPartitionsForTheNodes() {
        Topics topics = new Topics(KAFKA.uniqueTopic("few-partitions") + ".", 4);
        KAFKA.createTopic(topics.allocRequests().name(), 2, Map.of());

        assertThatThrownBy(() -> new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(List.of(topics.allocRequests())))
                .isInstanceOfSatisfying(TopicMismatchException.class, e -> {
                    assertThat(e.setting()).isEqualTo("partitions");
                    assertThat(e.expected()).isEqualTo("at least 4");
                    assertThat(e.actual()).isEqualTo("2");
                });
    }

    @Test
    void refusesALockTopicWithCreateTimeOrAShortCompactionLag() {
        Topics topics = new Topics(KAFKA.uniqueTopic("create-time") + ".", 1);
        KAFKA.createTopic(topics.oomLock().name(), 1, Map.of("cleanup.policy", "compact",
                "message.timestamp.type", "CreateTime"));
        assertThatThrownBy(() -> new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(List.of(topics.oomLock())))
                .isInstanceOfSatisfying(TopicMismatchException.class, e -> {
                    assertThat(e.setting()).isEqualTo("message.timestamp.type");
                    assertThat(e.actual()).isEqualTo("CreateTime");
                });

        Topics lagged = new Topics(KAFKA.uniqueTopic("short-lag") + ".", 1);
        KAFKA.createTopic(lagged.oomLock().name(), 1, Map.of("cleanup.policy", "compact",
                "message.timestamp.type", "LogAppendTime", "min.compaction.lag.ms", "1000"));
        assertThatThrownBy(() -> new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(List.of(lagged.oomLock())))
                .isInstanceOfSatisfying(TopicMismatchException.class, e -> {
                    assertThat(e.setting()).isEqualTo("min.compaction.lag.ms");
                    assertThat(e.expected()).isEqualTo(">= " + Topics.DEFAULT_LOCK_MIN_COMPACTION_LAG_MS);
                    assertThat(e.actual()).isEqualTo("1000");
                });
    }
}
