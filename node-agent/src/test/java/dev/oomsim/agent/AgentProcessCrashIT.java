package dev.oomsim.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node agent as its own JVM, killed with SIGKILL mid-load and started again: the new process replays the command
 * log and the run ends exactly as an uninterrupted one, with one outcome per request.
 */
class AgentProcessCrashIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Path MACHINE = CrashRecoveryIT.MACHINE;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anAgentKilledWithSigkillAndRestartedEndsAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Scenario scenario = ScenarioParser.parse(new ObjectMapper(new YAMLFactory()).readValue(MACHINE.toFile(), Object.class));
        ScenarioRun uninterrupted = DistributedSimulation.run(scenario, KAFKA.bootstrapServers(),
                new Topics(KAFKA.uniqueTopic("whole") + ".", 1));

        String prefix = KAFKA.uniqueTopic("sigkill") + ".";
        Topics topics = new Topics(prefix, 1);
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
        Path settings = dir.resolve("agent.properties");
        int port = freePort();
        Files.writeString(settings, String.join("\n",
                "node.id=0", "nodes=1", "bootstrap.servers=" + KAFKA.bootstrapServers(), "topic.prefix=" + prefix,
                "machine.file=" + MACHINE.toAbsolutePath(), "metrics.port=" + port, "poll.timeout.ms=20", ""));

        int half = 5; // event 5 is a direct may_oom call: the agent dies while it may wait at oom_lock
        assertThat(((EventResult.Alloc) uninterrupted.results().get(half)).mayOomCalls()).isPositive();
        List<EventResult> results = new ArrayList<>();
        Map<String, Object> state;
        try (DistributedSimulation.Feeder feeder = new DistributedSimulation.Feeder(KAFKA.bootstrapServers(), topics)) {
            Process first = startAgent(settings, dir.resolve("agent-1.log"), port);
            for (int i = 0; i < half; i++) {
                results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i), 0)));
            }
            feeder.submit(command(scenario, half), 0);
            first.destroyForcibly();
            assertThat(first.waitFor()).as("exit status of SIGKILL").isEqualTo(137);

            Process second = startAgent(settings, dir.resolve("agent-2.log"), port);
            try {
                results.add(OutcomeMapper.toResult(feeder.outcome("event-" + half)));
                for (int i = half + 1; i < scenario.events().size(); i++) {
                    results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i), 0)));
                }
                state = DistributedSimulation.stateTree(feeder.snapshots("final", java.util.List.of(0)));
            } finally {
                second.destroy();
                second.waitFor();
            }
        }

        assertThat(results).containsExactlyElementsOf(uninterrupted.results());
        assertThat(state).isEqualTo(uninterrupted.state());
        List<String> ids = KAFKA.readAll(topics.progress().name()).stream()
                .map(r -> topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value()).getRequestId())
                .toList();
        assertThat(ids).doesNotHaveDuplicates().hasSize(scenario.events().size());
    }

    private Process startAgent(Path settings, Path log, int port) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), NodeAgent.class.getName(), settings.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!p.isAlive()) {
                throw new AssertionError("agent exited with " + p.exitValue() + ": " + Files.readString(log));
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return p;
    }

    private static dev.oomsim.schemas.AllocRequest command(Scenario scenario, int i) {
        return DistributedSimulation.command("event-" + i, i, scenario.events().get(i), scenario.profile());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
