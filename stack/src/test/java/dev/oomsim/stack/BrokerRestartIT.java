package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.agent.wire.OutcomeMapper;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker stops and starts again on the same log directory in the middle of a run: the agent rides it out (its
 * clients reconnect, or it restarts itself and replays), and nothing is lost or doubled.
 */
class BrokerRestartIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    @Test
    void aBrokerRestartMidRunLosesNothingAndDoublesNothing() throws Exception {
        Scenario scenario = ScenarioParser.parse(new ObjectMapper(new YAMLFactory())
                .readValue(CrashRecoveryIT.MACHINE.toFile(), Object.class));
        ScenarioRun expected = ScenarioRunner.run(scenario);

        String prefix = KAFKA.uniqueTopic("restart") + ".";
        Topics topics = new Topics(prefix, 1);

        int half = 5;
        List<EventResult> results = new ArrayList<>();
        Map<String, Object> state;
        try (OomsimCluster agent = OomsimCluster.builder(scenario).bootstrapServers(KAFKA.bootstrapServers())
                .topics(topics)
                .pollTimeout(Duration.ofMillis(20)).start();
             ScenarioFeeder feeder = new ScenarioFeeder(KAFKA.bootstrapServers(), topics)) {
            for (int i = 0; i < half; i++) {
                results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i), 0)));
            }
            KAFKA.broker().restart();
            for (int i = half; i < scenario.events().size(); i++) {
                results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i), 0)));
            }
            state = ScenarioPlayback.stateTree(feeder.snapshots("final", List.of(0)));
        }

        assertThat(results).containsExactlyElementsOf(expected.results());
        assertThat(state).isEqualTo(expected.state());
        List<String> ids = KAFKA.readAll(topics.progress().name()).stream()
                .map(r -> topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value())
                        .getRequestId())
                .toList();
        assertThat(ids).doesNotHaveDuplicates().hasSize(scenario.events().size());
    }

    private static dev.oomsim.schemas.AllocRequest command(Scenario scenario, int i) {
        return ScenarioPlayback.command("event-" + i, i, scenario.events().get(i), scenario.profile());
    }

}
