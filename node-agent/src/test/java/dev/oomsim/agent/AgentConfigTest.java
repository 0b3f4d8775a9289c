package dev.oomsim.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

    private static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("node.id", "2");
        m.put("nodes", "4");
        m.put("bootstrap.servers", "127.0.0.1:9092");
        m.put("machine.file", "scenarios/4-nodes.yaml");
        return m;
    }

    @Test
    void validSettingsWithDefaults() {
        AgentConfig c = new AgentConfig(valid());
        assertThat(c.nodeId()).isEqualTo(2);
        assertThat(c.metricsPort()).isEqualTo(9402);
        assertThat(c.metricsBindAddress()).isEqualTo("127.0.0.1");
        assertThat(c.topics().allocRequests().name()).isEqualTo("oomsim.alloc-requests");
        assertThat(c.lockLease().toMillis()).isEqualTo(10_000);
    }

    @Test
    void environmentOverridesTheFile() {
        AgentConfig c = AgentConfig.load(null, Map.of("OOMSIM_NODE_ID", "1", "OOMSIM_NODES", "2",
                "OOMSIM_BOOTSTRAP_SERVERS", "kafka:9092", "OOMSIM_MACHINE_FILE", "/m.yaml", "OOMSIM_METRICS_BIND_ADDRESS", "0.0.0.0"));
        assertThat(c.nodeId()).isEqualTo(1);
        assertThat(c.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(c.metricsBindAddress()).isEqualTo("0.0.0.0");
    }

    @Test
    void badValuesNameTheKey() {
        Map<String, String> m = valid();
        m.put("node.id", "four");
        assertThatThrownBy(() -> new AgentConfig(m)).isInstanceOf(ConfigException.class).hasMessageContaining("node.id");

        Map<String, String> missing = valid();
        missing.remove("bootstrap.servers");
        assertThatThrownBy(() -> new AgentConfig(missing)).hasMessageContaining("bootstrap.servers");

        Map<String, String> tooHigh = valid();
        tooHigh.put("node.id", "4");
        assertThatThrownBy(() -> new AgentConfig(tooHigh)).hasMessageContaining("node.id").hasMessageContaining("must be below nodes (4)");

        Map<String, String> lease = valid();
        lease.put("lock.lease.ms", "5");
        assertThatThrownBy(() -> new AgentConfig(lease)).hasMessageContaining("lock.lease.ms");
    }
}
