package dev.oomsim.service;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Service settings as the compose file and the CLI give them: a properties file, then environment variables
 * that override single keys. {@code OOMSIM_NODE_ID=3} overrides {@code node.id}: the prefix is dropped,
 * the rest lower-cased and {@code _} becomes {@code .}.
 */
public final class EnvOverrides {

    private EnvOverrides() {
    }

    /** Reads {@code file} (if not null), then applies every environment variable that starts with {@code prefix}. */
    public static Properties load(Path file, Map<String, String> env, String prefix) {
        Properties props = new Properties();
        if (file != null) {
            try (Reader in = Files.newBufferedReader(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read settings file " + file + ": " + e.getMessage(), e);
            }
        }
        env.forEach((name, value) -> {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                props.setProperty(keyOf(name.substring(prefix.length())), value);
            }
        });
        return props;
    }

    /** {@code NODE_ID} → {@code node.id}. */
    static String keyOf(String envSuffix) {
        return envSuffix.toLowerCase(Locale.ROOT).replace('_', '.');
    }
}
