package dev.oomsim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.oomsim.agent.NodeAgent;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The compose scenario on the embedded broker, each agent its own JVM as in a container: runs in plain mvn verify. */
class AgentRestartIT extends AgentRestartScenario {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    @TempDir
    Path dir;

    private final Map<Integer, Process> agents = new HashMap<>();
    private final Map<Integer, AgentSettings> settings = new HashMap<>();
    private final Map<Integer, Integer> starts = new HashMap<>();

    @ParameterizedTest(name = "SIGKILL the agent of node {0}")
    @ValueSource(ints = {0, 1})
    void anAgentKilledAndStartedAgainEndsAsTheModel(int victim) throws Exception {
        anAgentKilledMidRequestAndStartedAgainEndsAsTheModel(victim, KAFKA.uniqueTopic("restart") + ".");
    }

    @AfterEach
    void stopAgents() throws InterruptedException {
        for (Process p : agents.values()) {
            p.destroy();
            p.waitFor();
        }
    }

    @Override
    String bootstrapServers() {
        return KAFKA.bootstrapServers();
    }

    @Override
    void startAgent(AgentSettings s) throws IOException {
        settings.put(s.nodeId(), s);
        int start = starts.merge(s.nodeId(), 1, Integer::sum);
        Path log = dir.resolve("agent-" + s.nodeId() + "-" + start + ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), NodeAgent.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // The settings as compose gives them: OOMSIM_<KEY> variables.
        Map<String, String> env = pb.environment();
        env.put("OOMSIM_NODE_ID", String.valueOf(s.nodeId()));
        env.put("OOMSIM_NODES", String.valueOf(s.nodes()));
        env.put("OOMSIM_BOOTSTRAP_SERVERS", s.bootstrap());
        env.put("OOMSIM_TOPIC_PREFIX", s.topicPrefix());
        env.put("OOMSIM_MACHINE_FILE", MACHINE.toAbsolutePath().toString());
        env.put("OOMSIM_METRICS_PORT", String.valueOf(s.metricsPort()));
        env.put("OOMSIM_POLL_TIMEOUT_MS", "20");
        env.put("OOMSIM_SNAPSHOT_EVERY_COMMANDS", "1");
        agents.put(s.nodeId(), pb.start());
    }

    @Override
    void killAgent(int node) throws InterruptedException {
        Process p = agents.get(node);
        p.destroyForcibly();
        p.waitFor();
    }

    @Override
    void restartAgent(int node) throws IOException {
        startAgent(settings.get(node));
    }

    @Override
    String agentLog(int node) throws IOException {
        return Files.readString(dir.resolve("agent-" + node + "-" + starts.get(node) + ".log"));
    }
}
