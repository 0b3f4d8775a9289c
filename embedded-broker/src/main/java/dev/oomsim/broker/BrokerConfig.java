package dev.oomsim.broker;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * How to start an {@link EmbeddedKafkaBroker}.
 *
 * @param logDir         where the broker keeps its logs; {@code null}: a temporary directory deleted on close
 * @param port           PLAINTEXT listener port on 127.0.0.1; 0 picks a free one
 * @param controllerPort KRaft controller port on 127.0.0.1; 0 picks a free one
 * @param overrides      broker properties that replace or extend the defaults (e.g. {@code log.cleaner.backoff.ms})
 */
public record BrokerConfig(Path logDir, int port, int controllerPort, Map<String, String> overrides) {

    public BrokerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (controllerPort < 0 || controllerPort > 65535) {
            throw new IllegalArgumentException("controllerPort must be 0..65535, was " + controllerPort);
        }
        overrides = Map.copyOf(overrides);
    }

    public static BrokerConfig defaults() {
        return new BrokerConfig(null, 0, 0, Map.of());
    }

    public BrokerConfig withLogDir(Path dir) {
        return new BrokerConfig(dir, port, controllerPort, overrides);
    }

    public BrokerConfig withPort(int newPort) {
        return new BrokerConfig(logDir, newPort, controllerPort, overrides);
    }

    public BrokerConfig withOverride(String key, String value) {
        Map<String, String> m = new TreeMap<>(overrides);
        m.put(key, value);
        return new BrokerConfig(logDir, port, controllerPort, m);
    }
}
