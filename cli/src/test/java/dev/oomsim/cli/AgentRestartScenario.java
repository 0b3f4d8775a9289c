package dev.oomsim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.agent.wire.OutcomeMapper;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.ScenarioFeeder;
import dev.oomsim.stack.ScenarioPlayback;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The compose end-to-end scenario as a test: two node agents as their own processes on a broker, a workload through
 * the scenario feeder, one agent killed (SIGKILL) while a request that crosses nodes is in flight and started again.
 * It must end exactly as the in-process model, with one outcome per request and one kill event for the one kill:
 * nothing lost, nothing doubled. Run on the embedded broker with child-JVM agents ({@link AgentRestartIT}) and on our
 * images through Testcontainers ({@link AgentRestartContainersIT}).
 */
abstract class AgentRestartScenario {

    static final Path MACHINE = Path.of("src", "test", "resources", "compose-crash-2nodes.yaml");
    /** Event 3 is a direct may_oom on node 0: oom_lock, rss gathered from node 1, the victim's pages released there. */
    static final int CRASH_AT = 3;

    private final HttpClient http = HttpClient.newHttpClient();

    /** Agents run as their own processes (or containers) with these settings. */
    record AgentSettings(int nodeId, int nodes, String bootstrap, String topicPrefix, int metricsPort) {
    }

    abstract String bootstrapServers();

    /** Starts the agent; returns once its process runs (health is awaited here). */
    abstract void startAgent(AgentSettings settings) throws Exception;

    /** Kills the agent of {@code node} without a chance to clean up (SIGKILL). */
    abstract void killAgent(int node) throws Exception;

    /** Starts the killed agent of {@code node} again, on the same settings. */
    abstract void restartAgent(int node) throws Exception;

    /** What the agent of {@code node} logged since its last start. */
    abstract String agentLog(int node) throws Exception;

    void anAgentKilledMidRequestAndStartedAgainEndsAsTheModel(int victim, String prefix) throws Exception {
        Scenario scenario = ScenarioParser.parse(new ObjectMapper(new YAMLFactory()).readValue(MACHINE.toFile(),
                Object.class));
        ScenarioRun model = ScenarioRunner.run(scenario);
        Topics topics = new Topics(prefix, 2);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            new TopicEnsurer(admin, (short) 1).ensure(topics.all());
        }
        int[] ports = {freePort(), freePort()};
        for (int node = 0; node < 2; node++) {
            startAgent(new AgentSettings(node, 2, bootstrapServers(), prefix, ports[node]));
            awaitHealthy(ports[node]);
        }
        Machine machine = new ScenarioRunner(scenario).machine();
        List<EventResult> results = new ArrayList<>();
        Map<String, Object> state;
        try (ScenarioFeeder feeder = new ScenarioFeeder(bootstrapServers(), topics)) {
            for (int i = 0; i < CRASH_AT; i++) {
                results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i), origin(scenario, i, machine))));
            }
            feeder.submit(command(scenario, CRASH_AT), origin(scenario, CRASH_AT, machine));
            killAgent(victim);
            restartAgent(victim);
            awaitHealthy(ports[victim]);
            Map<?, ?> health = new ObjectMapper().readValue(http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ports[victim] + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).body(), Map.class);
            long replayedFrom = ((Number) health.get("replayedFrom")).longValue();
            assertThat(replayedFrom).as("/health of the restarted agent: its replay starts at a snapshot, %s", health)
                    .isPositive();
            assertThat(((Number) health.get("replayedUntil")).longValue())
                    .as("/health: the replay ends at the killed run's committed offset, %s", health)
                    .isGreaterThanOrEqualTo(replayedFrom);
            results.add(OutcomeMapper.toResult(feeder.outcome("event-" + CRASH_AT)));
            for (int i = CRASH_AT + 1; i < scenario.events().size(); i++) {
                results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i), origin(scenario, i, machine))));
            }
            state = ScenarioPlayback.stateTree(feeder.snapshots("final", List.of(0, 1)));
        }
        assertThat(results).as("outcomes across the restart").containsExactlyElementsOf(model.results());
        assertThat(state).as("final state").isEqualTo(model.state());
        assertThat(agentLog(victim)).as("the restarted agent's log")
                .containsPattern("node " + victim + " agent: restored the snapshot at offset [1-9]");
        List<byte[]> progress = readAll(topics.progress().name());
        List<String> ids = progress.stream()
                .map(v -> topics.progress().valueSerde().deserializer().deserialize(topics.progress().name(), v)
                        .getRequestId())
                .toList();
        assertThat(ids).as("one outcome per request").doesNotHaveDuplicates().hasSize(scenario.events().size());
        assertThat(readAll(topics.kills().name())).as("one kill event for the one kill").hasSize(1);
    }

    private void awaitHealthy(int port) {
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            try {
                return http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private List<byte[]> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<byte[]> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return Set.copyOf(partitions).stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
            return values;
        }
    }

    private static AllocRequest command(Scenario scenario, int i) {
        return ScenarioPlayback.command("event-" + i, i, scenario.events().get(i), scenario.profile());
    }

    private static int origin(Scenario scenario, int i, Machine machine) {
        return ScenarioPlayback.originNode(scenario.events().get(i), machine);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
