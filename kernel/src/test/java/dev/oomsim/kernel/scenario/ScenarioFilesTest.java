package dev.oomsim.kernel.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every scenario under {@code scenarios/} and compares its JSON lines with {@code scenarios/expected/<name>.jsonl}
 * exactly. With {@code -Doomsim.writeExpected=true} it writes the files instead (review them by hand before
 * committing).
 */
class ScenarioFilesTest {
    static final Path SCENARIOS = Path.of("..", "scenarios");

    static Stream<String> scenarios() throws IOException {
        try (Stream<Path> files = Files.list(SCENARIOS)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted()
                    .toList();
            return names.stream();
        }
    }

    static Object readTree(Path file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Object.class);
    }

    /** The parsed scenario file {@code name} under {@code scenarios/}. */
    static Scenario scenario(String name) throws IOException {
        return ScenarioParser.parse(readTree(SCENARIOS.resolve(name)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenarioOutputMatchesCheckedInExpectation(String name) throws IOException {
        ScenarioRun run = ScenarioRunner.run(readTree(SCENARIOS.resolve(name)));
        String actual = run.toJsonLines();
        Path expected = SCENARIOS.resolve("expected").resolve(name.replace(".yaml", ".jsonl"));
        if (Boolean.getBoolean("oomsim.writeExpected")) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
    }
}
