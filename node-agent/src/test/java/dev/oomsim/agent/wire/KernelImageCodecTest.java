package dev.oomsim.agent.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.image.MachineImage;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A snapshot's kernel bytes bring back the very node they were taken from: for every scenario file, halfway and at the
 * end, the image encodes to bytes that decode, restore into a freshly booted model, and that model then runs the rest
 * of the scenario exactly as the original does, and re-encodes to the same bytes.
 */
class KernelImageCodecTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Every scenario file of the repository. */
    static List<Path> scenarios() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("..", "scenarios"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void anImageSurvivesItsBytesAndTheRestoredModelRunsOnIdentically(Path file) throws IOException {
        Scenario scenario = ScenarioParser.parse(YAML.readValue(file.toFile(), Object.class));
        List<Scenario.Event> events = scenario.events();
        int half = events.size() / 2;
        ScenarioRunner original = new ScenarioRunner(scenario);
        for (int i = 0; i < half; i++) {
            original.runEvent(i, events.get(i));
        }
        byte[] bytes = KernelImageCodec.encode(original.captureImage(n -> true));
        MachineImage decoded = KernelImageCodec.decode(KernelImageCodec.FORMAT, ByteBuffer.wrap(bytes));
        assertThat(KernelImageCodec.encode(decoded)).as("the decoded image encodes to the same bytes").isEqualTo(bytes);

        ScenarioRunner restored = new ScenarioRunner(scenario);
        restored.restoreImage(decoded);
        assertThat(restored.stateReport()).isEqualTo(original.stateReport());
        List<EventResult> expected = new ArrayList<>();
        List<EventResult> actual = new ArrayList<>();
        for (int i = half; i < events.size(); i++) {
            expected.add(original.runEvent(i, events.get(i)));
            actual.add(restored.runEvent(i, events.get(i)));
        }
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(KernelImageCodec.encode(restored.captureImage(n -> true)))
                .isEqualTo(KernelImageCodec.encode(original.captureImage(n -> true)));
    }

    @Test
    void anUnknownFormatOrBrokenBytesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> KernelImageCodec.decode(2, ByteBuffer.wrap(new byte[] {1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kernel image format 2");
        assertThatThrownBy(() -> KernelImageCodec.decode(KernelImageCodec.FORMAT,
                ByteBuffer.wrap(new byte[] {(byte) 0xA1, 1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not decode");
    }
}
