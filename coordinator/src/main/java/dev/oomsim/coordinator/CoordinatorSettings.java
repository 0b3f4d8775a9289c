package dev.oomsim.coordinator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.service.EnvOverrides;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The coordinator service's settings, in the agent's style: a properties file, then {@code OOMSIM_*} environment
 * variables ({@code OOMSIM_COORDINATOR_HTTP_PORT} overrides {@code coordinator.http.port}), checked at start with
 * Kafka's {@link ConfigDef} so a bad value fails naming its key.
 */
public final class CoordinatorSettings extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String NODES = "nodes";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String APPLICATION_ID = "application.id";
    public static final String HTTP_HOST = "coordinator.http.host";
    public static final String HTTP_PORT = "coordinator.http.port";
    public static final String STATE_DIR = "coordinator.state.dir";
    public static final String COMMIT_INTERVAL_MS = "coordinator.commit.interval.ms";
    public static final String REPLICATION_FACTOR = "replication.factor";
    public static final int DEFAULT_HTTP_PORT = 8081;
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 100;

    static final ConfigDef DEF = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Kafka bootstrap servers.")
            .define(NODES, Type.INT, ConfigDef.NO_DEFAULT_VALUE, Range.between(1, 1024), Importance.HIGH,
                    "How many nodes the simulated machine has.")
            .define(TOPIC_PREFIX, Type.STRING, Topics.DEFAULT_PREFIX, Importance.MEDIUM,
                    "Prefix of every oomsim topic.")
            .define(APPLICATION_ID, Type.STRING, CoordinatorConfig.DEFAULT_APPLICATION_ID,
                    new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Kafka Streams application id; instances sharing it share the work and answer for each other.")
            .define(HTTP_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Address the API, /metrics, /health and the dashboard bind to; also the application.server other"
                            + " instances forward queries to.")
            .define(HTTP_PORT, Type.INT, DEFAULT_HTTP_PORT, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the API and the dashboard; 0: any free port.")
            .define(STATE_DIR, Type.STRING, "", Importance.MEDIUM,
                    "Kafka Streams state directory; empty: <java.io.tmpdir>/oomsim-coordinator-<port>.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, DEFAULT_COMMIT_INTERVAL_MS, Range.between(1, 600_000),
                    Importance.LOW, "Kafka Streams commit interval: how soon a folded view is visible.")
            .define(REPLICATION_FACTOR, Type.SHORT, (short) 1, Range.between(1, 32), Importance.LOW,
                    "Replication factor of the topics the coordinator creates when missing.");

    public CoordinatorSettings(Map<?, ?> props) {
        super(DEF, props, false);
    }

    /** Reads {@code file} (may be null), then the {@code OOMSIM_*} overrides of {@code env}. */
    public static CoordinatorSettings load(Path file, Map<String, String> env) {
        Properties p = EnvOverrides.load(file, env, "OOMSIM_");
        return new CoordinatorSettings(p);
    }

    public String bootstrapServers() {
        return getString(BOOTSTRAP_SERVERS);
    }

    public Topics topics() {
        return new Topics(getString(TOPIC_PREFIX), getInt(NODES));
    }

    public short replicationFactor() {
        return getShort(REPLICATION_FACTOR);
    }

    /** The service spec these settings describe, with the topology's defaults. */
    public CoordinatorService.Spec spec() {
        CoordinatorConfig defaults = CoordinatorConfig.defaults(topics());
        CoordinatorConfig config = new CoordinatorConfig(defaults.topics(), getString(APPLICATION_ID),
                defaults.rateWindow(), defaults.grace(), defaults.recentKills());
        String dir = getString(STATE_DIR);
        return new CoordinatorService.Spec(bootstrapServers(), config, getString(HTTP_HOST), getInt(HTTP_PORT),
                dir.isBlank() ? null : Path.of(dir), Duration.ofMillis(getLong(COMMIT_INTERVAL_MS)));
    }

    /** The settings as documentation. */
    public static String describe() {
        return DEF.toRst();
    }
}
