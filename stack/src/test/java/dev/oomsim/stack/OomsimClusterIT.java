package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.oomsim.agent.NodeAgent;
import dev.oomsim.broker.BrokerConfig;
import dev.oomsim.broker.EmbeddedKafkaBroker;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The one in-process cluster: what it starts, what a failed start leaves behind (nothing), what close stops. */
class OomsimClusterIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Scenario TWO_NODES = ScenarioFiles.read(Path.of("..", "scenarios",
            "2-nodes-global-kill.yaml"));

    @Test
    void anEmbeddedClusterRunsAnAgentPerNodeAndCloseStopsAgentsThenBroker() {
        NodeAgent node0;
        NodeAgent node1;
        EmbeddedKafkaBroker broker;
        try (OomsimCluster cluster = OomsimCluster.builder(TWO_NODES).pollTimeout(Duration.ofMillis(20)).start()) {
            await().atMost(DEADLINE).until(cluster::isLive);
            assertThat(cluster.agents()).containsOnlyKeys(0, 1);
            assertThat(cluster.agentNodes()).containsExactly(0, 1);
            broker = cluster.embeddedBroker().orElseThrow();
            assertThat(cluster.bootstrapServers()).isEqualTo(broker.bootstrapServers());
            assertThat(ScenarioPlayback.play(TWO_NODES, cluster).toTrees())
                    .as("the machine answers through its agents as the model does")
                    .isEqualTo(ScenarioRunner.run(TWO_NODES).toTrees());
            node0 = cluster.agent(0);
            node1 = cluster.agent(1);
        }
        assertThat(node0.hasStopped()).isTrue();
        assertThat(node1.hasStopped()).isTrue();
        assertThat(broker.isRunning()).as("the broker the cluster started").isFalse();
    }

    @Test
    void anAgentStoppedAndStartedAgainResumesItsCommandLog() {
        Topics topics = new Topics(KAFKA.uniqueTopic("restart") + ".", 2);
        try (OomsimCluster cluster = OomsimCluster.builder(TWO_NODES).bootstrapServers(KAFKA.bootstrapServers())
                .topics(topics).pollTimeout(Duration.ofMillis(20)).snapshotEveryCommands(1).start()) {
            assertThat(cluster.embeddedBroker()).as("an existing cluster is not ours to stop").isEmpty();
            await().atMost(DEADLINE).until(cluster::isLive);
            ScenarioPlayback.play(TWO_NODES, cluster);
            cluster.stopAgent(1);
            assertThat(cluster.agents()).containsOnlyKeys(0);
            assertThatThrownBy(() -> cluster.agent(1)).hasMessageContaining("no agent of node 1");

            NodeAgent again = cluster.startAgent(1);
            await().atMost(DEADLINE).until(again::isLive);
            assertThat(again.replayFrom()).as("the new incarnation restored a snapshot").isPositive();
            assertThatThrownBy(() -> cluster.startAgent(1)).hasMessageContaining("already running");
        }
    }

    @Test
    void aStartThatFailsPartWayStopsTheBrokerItStarted() throws IOException {
        int port = freePort();
        OomsimCluster.Builder builder = OomsimCluster.builder(TWO_NODES)
                .embeddedBroker(BrokerConfig.defaults().withPort(port))
                // one broker cannot hold three replicas: creating the topics fails after the broker is up
                .replicationFactor((short) 3);
        assertThatThrownBy(builder::start).hasMessageContaining("replication");
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).as("the broker's port is free again").isEqualTo(port);
        }
    }

    @Test
    void badSettingsAreRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> OomsimCluster.builder(TWO_NODES).bootstrapServers(KAFKA.bootstrapServers())
                .agents(List.of(0, 2)).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node 2 is not a node of the machine");
        assertThatThrownBy(() -> OomsimCluster.builder(TWO_NODES).bootstrapServers(KAFKA.bootstrapServers())
                .topics(new Topics(KAFKA.uniqueTopic("one") + ".", 1)).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the topics are for 1 nodes");
        assertThatThrownBy(() -> OomsimCluster.builder(TWO_NODES).shutdownTimeout(Duration.ZERO))
                .hasMessageContaining("shutdownTimeout must be positive");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
