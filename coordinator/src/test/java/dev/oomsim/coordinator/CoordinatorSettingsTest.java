package dev.oomsim.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class CoordinatorSettingsTest {

    @Test
    void defaultsBindLoopbackOn8081WithAFastCommit() {
        CoordinatorService.Spec spec = CoordinatorSettings.load(null,
                Map.of("OOMSIM_BOOTSTRAP_SERVERS", "kafka:9092", "OOMSIM_NODES", "4")).spec();

        assertThat(spec.httpHost()).isEqualTo("127.0.0.1");
        assertThat(spec.httpPort()).isEqualTo(8081);
        assertThat(spec.commitInterval().toMillis()).isEqualTo(100);
        assertThat(spec.config().applicationId()).isEqualTo(CoordinatorConfig.DEFAULT_APPLICATION_ID);
        assertThat(spec.config().topics().nodes()).isEqualTo(4);
        assertThat(spec.stateDir()).isNull();
    }

    @Test
    void environmentOverridesTheHttpAddress() {
        CoordinatorService.Spec spec = CoordinatorSettings.load(null, Map.of("OOMSIM_BOOTSTRAP_SERVERS", "k:1",
                "OOMSIM_NODES", "2", "OOMSIM_COORDINATOR_HTTP_HOST", "0.0.0.0", "OOMSIM_COORDINATOR_HTTP_PORT", "0",
                "OOMSIM_COORDINATOR_STATE_DIR", "/var/lib/coord")).spec();

        assertThat(spec.httpHost()).isEqualTo("0.0.0.0");
        assertThat(spec.httpPort()).isZero();
        assertThat(spec.stateDir()).hasToString("/var/lib/coord");
    }

    @Test
    void aBadPortNamesItsKey() {
        assertThatThrownBy(() -> CoordinatorSettings.load(null, Map.of("OOMSIM_BOOTSTRAP_SERVERS", "k:1",
                "OOMSIM_NODES", "2", "OOMSIM_COORDINATOR_HTTP_PORT", "70000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("coordinator.http.port");
    }
}
