package dev.oomsim.cli;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The compose scenario on our own images through Testcontainers: {@code oomsim broker} and two agents, each its own
 * container of the oomsim image (system property {@code oomsim.image}, default {@code oomsim:e2e}, which
 * docker/e2e.sh builds; it runs this test while its engine is up). One agent container is {@code docker kill}ed
 * mid-request and started again. Host networking, so the feeder in this JVM reaches the broker's advertised
 * address. Skipped where no Docker engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
class AgentRestartContainersIT extends AgentRestartScenario {

    private static final DockerImageName IMAGE =
            DockerImageName.parse(System.getProperty("oomsim.image", "oomsim:e2e"));
    private static final String MACHINE_IN_CONTAINER = "/etc/oomsim/compose-crash-2nodes.yaml";

    private GenericContainer<?> broker;
    private String bootstrap;
    private final Map<Integer, GenericContainer<?>> agents = new HashMap<>();

    @BeforeEach
    void startBroker() throws Exception {
        int port = freePort();
        broker = new GenericContainer<>(IMAGE).withNetworkMode("host")
                .withCommand("broker", "--port", String.valueOf(port), "--controller-port", String.valueOf(freePort()));
        broker.start();
        bootstrap = "127.0.0.1:" + port;
    }

    @AfterEach
    void stopContainers() {
        agents.values().forEach(GenericContainer::stop);
        if (broker != null) {
            broker.stop();
        }
    }

    @ParameterizedTest(name = "docker kill the agent of node {0}")
    @ValueSource(ints = {1})
    void anAgentContainerKilledAndStartedAgainEndsAsTheModel(int victim) throws Exception {
        anAgentKilledMidRequestAndStartedAgainEndsAsTheModel(victim, "restart.");
    }

    @Override
    String bootstrapServers() {
        return bootstrap;
    }

    @Override
    void startAgent(AgentSettings s) {
        GenericContainer<?> agent = new GenericContainer<>(IMAGE).withNetworkMode("host")
                .withCommand("agent")
                .withCopyFileToContainer(MountableFile.forHostPath(MACHINE.toAbsolutePath()), MACHINE_IN_CONTAINER)
                .withEnv("OOMSIM_NODE_ID", String.valueOf(s.nodeId()))
                .withEnv("OOMSIM_NODES", String.valueOf(s.nodes()))
                .withEnv("OOMSIM_BOOTSTRAP_SERVERS", s.bootstrap())
                .withEnv("OOMSIM_TOPIC_PREFIX", s.topicPrefix())
                .withEnv("OOMSIM_MACHINE_FILE", MACHINE_IN_CONTAINER)
                .withEnv("OOMSIM_METRICS_PORT", String.valueOf(s.metricsPort()))
                .withEnv("OOMSIM_POLL_TIMEOUT_MS", "20")
                .withEnv("OOMSIM_SNAPSHOT_EVERY_COMMANDS", "1")
                // the image's logback.xml: dev.oomsim at this level (the restore line is INFO)
                .withEnv("OOMSIM_LOG_LEVEL", "INFO");
        agent.start();
        agents.put(s.nodeId(), agent);
    }

    @Override
    void killAgent(int node) {
        DockerClientFactory.instance().client().killContainerCmd(agents.get(node).getContainerId()).exec();
    }

    @Override
    void restartAgent(int node) {
        DockerClientFactory.instance().client().startContainerCmd(agents.get(node).getContainerId()).exec();
    }

    @Override
    String agentLog(int node) {
        return agents.get(node).getLogs();
    }
}
