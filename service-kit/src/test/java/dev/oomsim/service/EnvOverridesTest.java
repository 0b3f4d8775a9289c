package dev.oomsim.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvOverridesTest {

    @Test
    void environmentVariablesOverrideSingleKeysOfTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, "node.id=0\nbootstrap.servers=broker:9092\nmetrics.port=9400\n");

        Properties p = EnvOverrides.load(file,
                Map.of("OOMSIM_NODE_ID", "3", "PATH", "/bin", "OOMSIM_METRICS_BIND_ADDRESS", "0.0.0.0"), "OOMSIM_");

        assertThat(p).containsEntry("node.id", "3")
                .containsEntry("bootstrap.servers", "broker:9092")
                .containsEntry("metrics.port", "9400")
                .containsEntry("metrics.bind.address", "0.0.0.0")
                .doesNotContainKey("path");
    }

    @Test
    void aMissingFileIsNamedInTheError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> EnvOverrides.load(missing, Map.of(), "OOMSIM_"))
                .hasMessageContaining("cannot read settings file " + missing);
    }
}
