package dev.oomsim.cli;

import static dev.oomsim.cli.SimulateCommandTest.oomsim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.cli.SimulateCommandTest.Result;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.OomsimCluster;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oomsim load --replay} end to end: the real trace into a running two-node stack too small for it (agents and
 * coordinator in one {@link OomsimCluster} on the embedded broker); every request is answered, the OOM killer kills
 * python3, {@code oomsim kills} prints the kill and {@code oomsim pressure} shows it.
 */
class LoadReplayIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final String TRACE = "../traces/kmem-python-gzip-2cpu.trace.gz";
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @Test
    void aReplayTooBigForTheStackEndsInAKillOfPython3ThatKillsAndPressureShow() throws IOException {
        Scenario machine = Machines.fromFile(Path.of("src", "test", "resources", "replay-small-2-nodes.yaml"));
        String prefix = KAFKA.uniqueTopic("replay") + ".";
        try (OomsimCluster cluster = OomsimCluster.builder(machine).bootstrapServers(KAFKA.bootstrapServers())
                .topics(new Topics(prefix, 2)).pollTimeout(Duration.ofMillis(20)).coordinator("127.0.0.1", 0)
                .start()) {
            await().atMost(DEADLINE).until(cluster::isLive);

            Result r = oomsim("load", "--replay", TRACE, "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix",
                    prefix, "--cpu-node", "0:0,1:1", "--speed", "max", "--json", "--quiet");

            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode s = new ObjectMapper().readTree(r.out());
            assertThat(s.get("profile").asText()).isEqualTo("modern");
            assertThat(s.get("allocations").asLong()).isEqualTo(24_171);
            assertThat(s.get("answered").asLong()).isEqualTo(s.get("requests").asLong())
                    .isEqualTo(s.get("allocations").asLong() + s.get("frees").asLong());
            assertThat(s.get("deadLettered").asLong()).as("python3's requests after its death").isPositive();
            assertThat(s.at("/notReplayed/freesOfPagesAllocatedBeforeTheTrace/count").asLong()).isPositive();
            assertThat(s.at("/notReplayed/freesOfPagesAllocatedBeforeTheTrace/lines")).isNotEmpty();
            assertThat(s.at("/trace/unparsable/count").asLong()).isZero();

            Result kills = oomsim("kills", "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", prefix,
                    "--from-beginning");
            assertThat(kills.exit()).as(kills.err()).isZero();
            assertThat(kills.out()).contains("Killed process 30984 (python3)");

            await().atMost(DEADLINE).untilAsserted(() -> {
                Result p = oomsim("pressure", "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", prefix);
                assertThat(p.exit()).as(p.err()).isZero();
                List<String> lines = p.out().lines().toList();
                assertThat(lines).anyMatch(l -> l.startsWith("cluster ") && l.endsWith("30984 (python3)"));
            });
        }
    }

    @Test
    void ctrlCStopsASlowReplayWithTheSummarySoFar(@TempDir Path dir) throws IOException, InterruptedException {
        Scenario machine = Machines.fromFile(Path.of("src", "test", "resources", "replay-small-2-nodes.yaml"));
        String prefix = KAFKA.uniqueTopic("ctrlc") + ".";
        Topics topics = new Topics(prefix, 2);
        try (OomsimCluster cluster = OomsimCluster.builder(machine).bootstrapServers(KAFKA.bootstrapServers())
                .topics(topics).pollTimeout(Duration.ofMillis(20)).start()) {
            await().atMost(DEADLINE).until(cluster::isLive);
            // The trace's 277 ms at a hundredth of its speed: half a minute.
            try (ChildOomsim load = ChildOomsim.start(dir.resolve("load.log"), "load", "--replay", TRACE,
                    "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", prefix, "--cpu-node", "0:0,1:1",
                    "--speed", "0.01", "--seed", "9")) {
                await().atMost(DEADLINE).until(() -> KAFKA.readAll(topics.progress().name()).stream()
                        .map(r -> topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value()))
                        .anyMatch(p -> p.getRequestId().startsWith("replay-9-")));

                assertThat(load.interrupt(Duration.ofSeconds(60))).isEqualTo(ExitCodes.INTERRUPTED);
                assertThat(load.output()).contains("oomsim load: kmem-python-gzip-2cpu.trace.gz (seed 9): ")
                        .contains("stopped with Ctrl-C");
            }
        }
    }

    @Test
    void aProfileOtherThanTheStacksIsBadUsage() {
        Scenario machine = Machines.fromFile(Path.of("src", "test", "resources", "replay-small-2-nodes.yaml"));
        String prefix = KAFKA.uniqueTopic("profile") + ".";
        try (OomsimCluster cluster = OomsimCluster.builder(machine).bootstrapServers(KAFKA.bootstrapServers())
                .topics(new Topics(prefix, 2)).pollTimeout(Duration.ofMillis(20)).start()) {
            await().atMost(DEADLINE).until(cluster::isLive);

            Result seed = oomsim("load", "--replay", TRACE, "--bootstrap", KAFKA.bootstrapServers(),
                    "--topic-prefix", prefix, "--profile", "seed", "--quiet");
            assertThat(seed.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(seed.err()).contains("the stack runs the modern profile");
            Result node3 = oomsim("load", "--replay", TRACE, "--bootstrap", KAFKA.bootstrapServers(),
                    "--topic-prefix", prefix, "--cpu-node", "0:0,1:3", "--quiet");
            assertThat(node3.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(node3.err()).contains("puts CPU 1 on node 3").contains("has 2 node(s)");
        }
    }
}
