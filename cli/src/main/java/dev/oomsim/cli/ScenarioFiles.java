package dev.oomsim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.scenario.ScenarioException;

/**
 * Reads a scenario file (YAML or JSON, by extension) into the generic tree the kernel's scenario parser
 * validates. Syntax errors become {@link ScenarioException}s naming the file, line and column.
 */
final class ScenarioFiles {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ScenarioFiles() {
    }

    static Object readTree(Path file) {
        ObjectMapper mapper = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
        try {
            Object tree = mapper.readValue(Files.readAllBytes(file), Object.class);
            if (tree == null) {
                throw new ScenarioException("$", file + " is empty");
            }
            return tree;
        } catch (NoSuchFileException e) {
            throw new ScenarioException("$", "no such scenario file: " + file);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new ScenarioException("$", file + " is not valid " + (mapper == JSON ? "JSON" : "YAML") + where + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ScenarioException("$", "cannot read " + file + ": " + e.getMessage());
        }
    }
}
