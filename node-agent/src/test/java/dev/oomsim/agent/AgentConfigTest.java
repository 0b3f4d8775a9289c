package dev.oomsim.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
                "OOMSIM_BOOTSTRAP_SERVERS", "kafka:9092", "OOMSIM_MACHINE_FILE", "/m.yaml",
                "OOMSIM_METRICS_BIND_ADDRESS", "0.0.0.0"));
        assertThat(c.nodeId()).isEqualTo(1);
        assertThat(c.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(c.metricsBindAddress()).isEqualTo("0.0.0.0");
    }

    /** Every key the agent declares changes what it runs: none is validated, documented and then ignored. */
    @Test
    void everyDeclaredKeyIsReadByTheAgent(@TempDir Path dir) throws Exception {
        Path machine = dir.resolve("machine.yaml");
        Files.writeString(machine, """
                nodes:
                  - id: 0
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 4000}]
                  - id: 1
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 4000}]
                """);
        Map<String, String> every = new HashMap<>();
        every.put("node.id", "1");
        every.put("nodes", "2");
        every.put("bootstrap.servers", "kafka:9092");
        every.put("topic.prefix", "lab.");
        every.put("machine.file", machine.toString());
        every.put("metrics.port", "9500");
        every.put("metrics.bind.address", "0.0.0.0");
        every.put("poll.timeout.ms", "50");
        every.put("lock.lease.ms", "4000");
        every.put("replication.factor", "3");
        every.put("snapshot.every.commands", "77");
        assertThat(every.keySet()).as("the test sets every declared key")
                .containsExactlyInAnyOrderElementsOf(AgentConfig.DEF.names());
        AgentConfig config = new AgentConfig(every);

        NodeAgent.ServiceSettings settings = NodeAgent.ServiceSettings.read(config);

        assertThat(config.unused()).as("keys the agent never reads").isEmpty();
        NodeAgent.Spec spec = settings.spec();
        assertThat(spec.nodeId()).isEqualTo(1);
        assertThat(spec.topics().nodes()).isEqualTo(2);
        assertThat(spec.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(spec.topics().allocRequests().name()).isEqualTo("lab.alloc-requests");
        assertThat(spec.machine().nodes()).hasSize(2);
        assertThat(spec.metrics()).contains(new NodeAgent.MetricsEndpoint("0.0.0.0", 9500));
        assertThat(spec.pollTimeout()).isEqualTo(Duration.ofMillis(50));
        assertThat(spec.lockLease()).isEqualTo(Duration.ofSeconds(4));
        assertThat(spec.snapshotEveryCommands()).isEqualTo(77);
        assertThat(settings.replicationFactor()).isEqualTo((short) 3);
    }

    @Test
    void badValuesNameTheKey() {
        Map<String, String> m = valid();
        m.put("node.id", "four");
        assertThatThrownBy(() -> new AgentConfig(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("node.id");

        Map<String, String> missing = valid();
        missing.remove("bootstrap.servers");
        assertThatThrownBy(() -> new AgentConfig(missing)).hasMessageContaining("bootstrap.servers");

        Map<String, String> tooHigh = valid();
        tooHigh.put("node.id", "4");
        assertThatThrownBy(() -> new AgentConfig(tooHigh)).hasMessageContaining("node.id")
                .hasMessageContaining("must be below nodes (4)");

        Map<String, String> lease = valid();
        lease.put("lock.lease.ms", "5");
        assertThatThrownBy(() -> new AgentConfig(lease)).hasMessageContaining("lock.lease.ms");
    }
}
