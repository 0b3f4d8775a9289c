package dev.oomsim.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;

/** Reads the scenario files the tests play. */
final class ScenarioFiles {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ScenarioFiles() {
    }

    static Scenario read(Path file) {
        try {
            return ScenarioParser.parse(YAML.readValue(file.toFile(), Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scenario " + file, e);
        }
    }
}
