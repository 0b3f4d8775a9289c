package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.agent.NodeAgent;
import dev.oomsim.agent.wire.OutcomeMapper;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An agent stopped mid-load — with a request suspended at oom_lock whose journaled lock result may or may not have
 * been committed — and a new incarnation started on the same command log: it replays its log with output off and
 * carries on. Every request has exactly one outcome, and results and final node state equal an uninterrupted run.
 */
class CrashRecoveryIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    static final Path MACHINE = Path.of("src", "test", "resources", "crash-machine.yaml");

    /**
     * {@code snapshotEvery} 0: the restart replays from offset 0; 1: it restores the newest snapshot and replays the
     * rest.
     */
    @ParameterizedTest(name = "snapshot every {0} commands")
    @ValueSource(longs = {0, 1})
    void aRestartedAgentReplaysItsLogAndEndsExactlyAsAnUninterruptedRun(long snapshotEvery) throws Exception {
        Scenario scenario = ScenarioParser.parse(new ObjectMapper(new YAMLFactory())
                .readValue(MACHINE.toFile(), Object.class));
        ScenarioRun uninterrupted = ScenarioPlayback.play(scenario, KAFKA.bootstrapServers(),
                new Topics(KAFKA.uniqueTopic("whole") + ".", 1));
        assertThat(uninterrupted.results()).hasSize(scenario.events().size());
        int crashAt = 5;
        assertThat(((EventResult.Alloc) uninterrupted.results().get(crashAt)).mayOomCalls())
                .as("the request the agent stops under goes through oom_lock").isPositive();

        Topics topics = new Topics(KAFKA.uniqueTopic("crash") + ".", 1);
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
        List<EventResult> results = new ArrayList<>();
        Map<String, Object> state;
        try (ScenarioFeeder feeder = new ScenarioFeeder(KAFKA.bootstrapServers(), topics)) {
            OomsimCluster cluster = OomsimCluster.builder(scenario).bootstrapServers(KAFKA.bootstrapServers())
                    .topics(topics).ensureTopics(false).pollTimeout(Duration.ofMillis(20))
                    .snapshotEveryCommands(snapshotEvery).start();
            await().atMost(Duration.ofSeconds(60)).until(cluster::isLive);
            for (int i = 0; i < crashAt; i++) {
                results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i), 0)));
            }
            // Event 5 is a direct __alloc_pages_may_oom call: it takes oom_lock. Stop the agent while the request
            // may be suspended there, its journaled lock result committed or not.
            feeder.submit(command(scenario, crashAt), 0);
            cluster.stopAgent(0);

            NodeAgent second = cluster.startAgent(0);
            await().atMost(Duration.ofSeconds(60)).until(second::isLive);
            if (snapshotEvery > 0) {
                assertThat(second.replayFrom()).as("the restart's replay starts at a snapshot").isPositive();
            }
            results.add(OutcomeMapper.toResult(feeder.outcome("event-" + crashAt)));
            for (int i = crashAt + 1; i < scenario.events().size(); i++) {
                results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i), 0)));
            }
            state = ScenarioPlayback.stateTree(feeder.snapshots("final", List.of(0)));
            cluster.close();
        }

        assertThat(results).containsExactlyElementsOf(uninterrupted.results());
        assertThat(state).isEqualTo(uninterrupted.state());
        List<String> reported = progressRequestIds(topics);
        assertThat(reported).doesNotHaveDuplicates().hasSize(scenario.events().size());
    }

    private static dev.oomsim.schemas.AllocRequest command(Scenario scenario, int i) {
        return ScenarioPlayback.command("event-" + i, i, scenario.events().get(i), scenario.profile());
    }

    private static List<String> progressRequestIds(Topics topics) {
        return KAFKA.readAll(topics.progress().name()).stream()
                .map(r -> topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value())
                        .getRequestId())
                .toList();
    }
}
