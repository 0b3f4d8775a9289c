package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.oomsim.schemas.topics.ConfigRule;
import dev.oomsim.schemas.topics.TopicSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LockTopicTest {

    private final TopicSpec<?, ?> spec = LockTopic.spec("oomsim.oom-lock", 600_000);

    @Test
    void theLockTopicIsOnePartitionCompactedWithLogAppendTimeAndRetentionAboveTheLag() {
        Map<String, ConfigRule> configs = spec.configs();

        assertThat(spec.partitions().accepts(1)).isTrue();
        assertThat(spec.partitions().accepts(2)).isFalse();
        assertThat(configs.get("cleanup.policy").accepts("compact")).isTrue();
        assertThat(configs.get("message.timestamp.type").accepts("LogAppendTime")).isTrue();
        assertThat(configs.get("min.compaction.lag.ms").accepts("600000")).isTrue();
        assertThat(configs.get("delete.retention.ms").accepts("600001")).isTrue();
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource({
            "cleanup.policy, delete",
            "cleanup.policy, 'compact,delete'",
            "message.timestamp.type, CreateTime",
            "min.compaction.lag.ms, 599999",
            "min.compaction.lag.ms, 0",
            "delete.retention.ms, 600000",
    })
    void settingsThatBreakTheProtocolAreRefused(String setting, String actual) {
        assertThat(spec.configs().get(setting).accepts(actual)).isFalse();
    }

    @Test
    void withThreeOrMoreBrokersTheTopicNeedsTwoInSyncReplicas() {
        assertThat(spec.configs()).doesNotContainKey("min.insync.replicas");
        ConfigRule isr = LockTopic.spec("t", 600_000, 3).configs().get("min.insync.replicas");
        assertThat(isr.accepts("2")).isTrue();
        assertThat(isr.accepts("1")).isFalse();
    }
}
