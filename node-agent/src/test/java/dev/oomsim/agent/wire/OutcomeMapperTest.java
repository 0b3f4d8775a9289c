package dev.oomsim.agent.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.schemas.OutcomeKind;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.serde.AvroEventSerde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every result of every example scenario survives kernel → ProgressEvent → bytes → ProgressEvent → kernel unchanged.
 */
class OutcomeMapperTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final AvroEventSerde<ProgressEvent> SERDE = AvroEventSerde.of(ProgressEvent.class);

    static Stream<Path> scenarios() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("..", "scenarios"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void everyScenarioResultRoundTripsThroughTheProgressTopicEncoding(Path scenario) throws IOException {
        ScenarioRun run = ScenarioRunner.run(YAML.readValue(scenario.toFile(), Object.class));
        assertThat(run.results()).isNotEmpty();
        for (EventResult result : run.results()) {
            ProgressEvent event = OutcomeMapper.toProgress("req-" + result.event(), 0, 1000, result);
            ProgressEvent decoded = SERDE.decode(SERDE.encode(event));
            EventResult back = OutcomeMapper.toResult(decoded);
            assertThat(back).isEqualTo(result);
            assertThat(back.toTree()).isEqualTo(result.toTree());
        }
    }

    @Test
    void theFieldsAResultDoesNotCarryHoldTheSchemaDefaults() {
        ProgressEvent free = OutcomeMapper.toProgress("r", 0, 7, new EventResult.Simple(3, "free", 7));
        ProgressEvent fromDefaults = ProgressEvent.newBuilder().setRequestId("r").setNode(0).setPid(7).setSequence(3L)
                .setKind(OutcomeKind.FREE).build();
        assertThat(free).isEqualTo(fromDefaults);
        assertThat(SERDE.encode(free)).isEqualTo(SERDE.encode(fromDefaults));

        ProgressEvent score = OutcomeMapper.toProgress("s", 1, 8, new EventResult.OomScore(4, 9, 123L));
        ProgressEvent scoreFromDefaults = ProgressEvent.newBuilder().setRequestId("s").setNode(1).setPid(9)
                .setSequence(4L)
                .setKind(OutcomeKind.OOM_SCORE).setOomScore(123L).build();
        assertThat(score).isEqualTo(scoreFromDefaults);
        assertThat(SERDE.encode(score)).isEqualTo(SERDE.encode(scoreFromDefaults));
    }
}
