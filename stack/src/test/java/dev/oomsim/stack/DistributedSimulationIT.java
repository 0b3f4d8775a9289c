package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The differential test (docs/architecture.md): a scenario fed one event at a time through the real stack — a real
 * broker, the node agent's exactly-once command log, the kernel behind it — prints exactly what the in-process
 * model prints, for every scenario file: on machines of several nodes one agent per node, zonelist walks, reclaim,
 * rss reads and the victim's exit crossing agents as memory calls.
 */
class DistributedSimulationIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Path> scenarios() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("..", "scenarios"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void distributedRunPrintsExactlyWhatTheModelPrints(Path file) throws IOException {
        Object tree = YAML.readValue(file.toFile(), Object.class);
        Scenario scenario = ScenarioParser.parse(tree);
        List<String> expected = jsonLines(ScenarioRunner.run(scenario).toTrees());

        Topics topics = new Topics(KAFKA.uniqueTopic("diff") + ".", scenario.nodes().size());
        List<String> distributed = jsonLines(ScenarioPlayback.play(scenario, KAFKA.bootstrapServers(), topics)
                .toTrees());

        assertThat(distributed).containsExactlyElementsOf(expected);
    }

    private static List<String> jsonLines(List<Map<String, Object>> trees) throws IOException {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> t : trees) {
            out.add(JSON.writeValueAsString(t));
        }
        return out;
    }
}
