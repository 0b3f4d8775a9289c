package dev.oomsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.oomsim.agent.wire.OutcomeMapper;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.NumaNode;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.ScenarioFeeder;
import dev.oomsim.stack.ScenarioPlayback;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oomsim up --dir} in a JVM of its own, stopped with SIGINT half way through a run and started again on the same
 * directory: the broker reopens its data, the agents resume, and the run ends exactly as the kernel model's, one
 * outcome per request — nothing lost, nothing doubled.
 */
class UpCommandIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Duration START = Duration.ofSeconds(120);

    @Test
    void ctrlCDuringUpLeavesTheDirectoryRestartableWithNothingLost(@TempDir Path tmp) throws Exception {
        Map<String, Object> tree = Machines.plainTree(2);
        tree.put("events", List.of(
                Map.of("alloc", Map.of("pid", 1, "gfp", "GFP_KERNEL", "order", 0, "node", 0)),
                Map.of("alloc", Map.of("pid", 1, "gfp", "GFP_KERNEL", "order", 3, "node", 1)),
                Map.of("alloc", Map.of("pid", 1, "gfp", "GFP_HIGHUSER_MOVABLE", "order", 0, "node", 0)),
                Map.of("alloc", Map.of("pid", 1, "gfp", "GFP_KERNEL", "order", 2, "node", 0)),
                Map.of("alloc", Map.of("pid", 1, "gfp", "GFP_KERNEL", "order", 0, "node", 1)),
                Map.of("alloc", Map.of("pid", 1, "gfp", "GFP_NOFS", "order", 1, "node", 1))));
        Scenario scenario = ScenarioParser.parse(tree);
        ScenarioRun model = ScenarioRunner.run(scenario);
        Machine machine = new ScenarioRunner(scenario).machine();
        List<Integer> nodes = machine.nodes().stream().map(NumaNode::id).toList();
        Path dir = tmp.resolve("kafka");
        String prefix = "up-it.";
        Topics topics = new Topics(prefix, 2);
        String[] args = {"up", "--nodes", "2", "--dir", dir.toString(), "--port", "0", "--topic-prefix", prefix,
            "--coordinator-port", "0", "--quiet"};
        int half = 3;
        List<EventResult> results = new ArrayList<>();

        try (ChildOomsim first = ChildOomsim.start(tmp.resolve("up-1.log"), args)) {
            String bootstrap = first.awaitLine("Kafka on (127\\.0\\.0\\.1:\\d+) ", START);
            first.awaitLine("^" + UpCommand.READY, START);
            try (ScenarioFeeder feeder = new ScenarioFeeder(bootstrap, topics)) {
                for (int i = 0; i < half; i++) {
                    results.add(request(feeder, scenario, machine, i));
                }
            }
            assertThat(first.interrupt(Duration.ofSeconds(60))).as("exit status after Ctrl-C")
                    .isEqualTo(ExitCodes.INTERRUPTED);
            assertThat(first.output()).contains("oomsim up: stopping the agents, then the coordinator, then the broker")
                    .contains("oomsim up: stopped");
        }

        try (ChildOomsim second = ChildOomsim.start(tmp.resolve("up-2.log"), args)) {
            String bootstrap = second.awaitLine("Kafka on (127\\.0\\.0\\.1:\\d+) ", START);
            second.awaitLine("^" + UpCommand.READY, START);
            Map<String, Object> state;
            try (ScenarioFeeder feeder = new ScenarioFeeder(bootstrap, topics)) {
                for (int i = half; i < scenario.events().size(); i++) {
                    results.add(request(feeder, scenario, machine, i));
                }
                state = ScenarioPlayback.stateTree(feeder.snapshots("final", nodes));
            }
            assertThat(results).containsExactlyElementsOf(model.results());
            assertThat(state).isEqualTo(model.state());
            List<String> ids = new ArrayList<>();
            try (TopicTail tail = new TopicTail(bootstrap, topics.progress().name(), true)) {
                while (!tail.reachedEnd()) {
                    for (ConsumerRecord<byte[], byte[]> r : tail.poll(Duration.ofMillis(200))) {
                        ProgressEvent e = topics.progress().valueSerde().deserializer().deserialize(r.topic(),
                                r.value());
                        ids.add(e.getRequestId());
                    }
                }
            }
            assertThat(ids).as("one outcome per request across the restart").doesNotHaveDuplicates()
                    .containsExactlyInAnyOrder("event-0", "event-1", "event-2", "event-3", "event-4", "event-5");
            assertThat(second.interrupt(Duration.ofSeconds(60))).isEqualTo(ExitCodes.INTERRUPTED);
        }
    }

    @Test
    void upAgainstAnExistingClusterRunsItsAgentsThereAndChecksTheTopicsItFinds(@TempDir Path tmp) throws Exception {
        String prefix = KAFKA.uniqueTopic("external") + ".";
        try (ChildOomsim up = ChildOomsim.start(tmp.resolve("up.log"), "up", "--bootstrap", KAFKA.bootstrapServers(),
                "--nodes", "2", "--topic-prefix", prefix, "--coordinator-port", "0", "--quiet")) {
            assertThat(up.awaitLine("Kafka on (\\S+) ", START)).isEqualTo(KAFKA.bootstrapServers());
            up.awaitLine("^" + UpCommand.READY, START);
            assertThat(up.output()).contains("(an existing cluster, topics with replication factor 1)");
            assertThat(up.interrupt(Duration.ofSeconds(60))).isEqualTo(ExitCodes.INTERRUPTED);
        }
        assertThat(KAFKA.admin().listTopics().names().get()).contains(prefix + "alloc-requests", prefix + "kills");

        SimulateCommandTest.Result wider = SimulateCommandTest.oomsim("up", "--bootstrap", KAFKA.bootstrapServers(),
                "--nodes", "3", "--topic-prefix", prefix, "--quiet");
        assertThat(wider.exit()).isEqualTo(ExitCodes.RUNTIME_FAILURE);
        assertThat(wider.err()).contains("topic " + prefix + "alloc-requests exists with partitions=2")
                .contains("use another topic prefix");

        SimulateCommandTest.Result replicated = SimulateCommandTest.oomsim("up", "--bootstrap",
                KAFKA.bootstrapServers(), "--replication-factor", "2", "--topic-prefix", prefix + "rf2.", "--quiet");
        assertThat(replicated.exit()).isEqualTo(ExitCodes.RUNTIME_FAILURE);
        assertThat(replicated.err()).contains("lower --replication-factor to at most the number of brokers");
    }

    private static EventResult request(ScenarioFeeder feeder, Scenario scenario, Machine machine, int i) {
        Scenario.Event event = scenario.events().get(i);
        return OutcomeMapper.toResult(feeder.request(ScenarioPlayback.command("event-" + i, i, event,
                scenario.profile()), ScenarioPlayback.originNode(event, machine)));
    }
}
