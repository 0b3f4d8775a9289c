package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LockTopicTest {

    private static final long BOUND = 600_000;

    private static Map<String, String> good() {
        return new HashMap<>(LockTopic.settings(BOUND, 1));
    }

    @Test
    void newTopicsAreCompactedWithLogAppendTimeAndDeleteRetentionAboveTheLag() {
        Map<String, String> settings = LockTopic.settings(BOUND, 3);

        assertThat(settings).containsEntry("cleanup.policy", "compact")
                .containsEntry("message.timestamp.type", "LogAppendTime")
                .containsEntry("min.compaction.lag.ms", "600000")
                .containsEntry("delete.retention.ms", "1200000")
                .containsEntry("min.insync.replicas", "2");
        assertThat(LockTopic.settings(BOUND, 1)).doesNotContainKey("min.insync.replicas");
        assertThatCode(() -> LockTopic.check("t", 1, settings, BOUND)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource({
            "cleanup.policy, delete, compact",
            "cleanup.policy, 'compact,delete', compact",
            "message.timestamp.type, CreateTime, LogAppendTime",
            "min.compaction.lag.ms, 599999, '>= 600000'",
            "min.compaction.lag.ms, 0, '>= 600000'",
    })
    void anExistingTopicThatBreaksTheProtocolIsRefusedNamingTopicSettingExpectedAndActual(
            String setting, String actual, String expected) {
        Map<String, String> settings = good();
        settings.put(setting, actual);

        LockTopicMisconfiguredException e = catchThrowableOfType(LockTopicMisconfiguredException.class,
                () -> LockTopic.check("oomsim.oom-lock", 1, settings, BOUND));

        assertThat(e.topic()).isEqualTo("oomsim.oom-lock");
        assertThat(e.setting()).isEqualTo(setting);
        assertThat(e.expected()).isEqualTo(expected);
        assertThat(e.actual()).isEqualTo(actual);
        assertThat(e).hasMessageContaining("oomsim.oom-lock").hasMessageContaining(setting)
                .hasMessageContaining(expected).hasMessageContaining(actual);
    }

    @Test
    void moreThanOnePartitionIsRefused() {
        LockTopicMisconfiguredException e = catchThrowableOfType(LockTopicMisconfiguredException.class,
                () -> LockTopic.check("t", 3, good(), BOUND));

        assertThat(e.setting()).isEqualTo("partitions");
        assertThat(e.expected()).isEqualTo("1");
        assertThat(e.actual()).isEqualTo("3");
    }
}
