package dev.oomsim.stack.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads workload files (YAML) into {@link Workload}s. Every error names the file, the line and the field by its path
 * ({@code tasks[1].orders}), in the style of the kernel's scenario errors.
 */
public final class WorkloadFiles {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private WorkloadFiles() {
    }

    public static Workload read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new WorkloadException("no such workload file: " + file);
        } catch (IOException e) {
            throw new WorkloadException("cannot read workload file " + file + ": " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses workload YAML; {@code source} names it in errors. */
    public static Workload parse(byte[] yaml, String source) {
        try {
            Workload w = YAML.readValue(yaml, Workload.class);
            if (w == null) {
                throw new WorkloadException(source + ": the file is empty");
            }
            return w;
        } catch (JsonMappingException e) {
            String path = path(e);
            Throwable cause = e.getCause();
            String what;
            if (cause instanceof Workload.InvalidField f) {
                String parent = path.isEmpty() ? "" : path + ".";
                path = parent + f.field;
                what = f.getMessage().substring(f.field.length() + 2);
            } else if (e instanceof UnrecognizedPropertyException u) {
                path = path.isEmpty() ? u.getPropertyName() : path;
                what = "unknown field; known: " + u.getKnownPropertyIds().stream().map(Object::toString).sorted()
                        .collect(Collectors.joining(", "));
            } else {
                what = e.getOriginalMessage().replaceAll(" \\(for .*", "").replaceAll("\\s+at \\[.*", "")
                        .replaceAll(" \\(index \\d+\\)", "").replaceAll(";? ?`Deserialization[^`]*` enabled.*", "");
            }
            String line = e instanceof UnrecognizedPropertyException u ? lineOf(yaml, u.getPropertyName())
                    : where(e.getLocation());
            throw new WorkloadException(source + line + ": " + (path.isEmpty() ? "$" : path) + ": "
                    + what, e);
        } catch (JsonProcessingException e) {
            throw new WorkloadException(source + " is not valid YAML" + where(e.getLocation()) + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new WorkloadException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * The line of the first key {@code name}: Jackson reports unknown fields of records where the object ends, so the
     * line is looked up in the text.
     */
    private static String lineOf(byte[] yaml, String name) {
        java.util.regex.Pattern key = java.util.regex.Pattern.compile("(^|[\\s{,-])"
                + java.util.regex.Pattern.quote(name) + "\\s*:");
        String[] lines = new String(yaml, java.nio.charset.StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (key.matcher(lines[i].replaceAll("#.*", "")).find()) {
                return ", line " + (i + 1);
            }
        }
        return "";
    }

    private static String where(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? "" : ", line " + loc.getLineNr();
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            } else if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            }
        }
        return b.toString();
    }
}
