package dev.oomsim.kernel.scenario;

import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Test helper: YAML text to the generic tree, and to a booted runner. */
public final class Yaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Yaml() {
    }

    /** The generic tree of a YAML document. */
    public static Object tree(String yaml) {
        try {
            return YAML.readValue(yaml, Object.class);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A runner booted from a YAML scenario. */
    public static ScenarioRunner boot(String yaml) {
        return new ScenarioRunner(ScenarioParser.parse(tree(yaml)));
    }

    /** Runs a YAML scenario. */
    public static ScenarioRun run(String yaml) {
        return ScenarioRunner.run(tree(yaml));
    }
}
