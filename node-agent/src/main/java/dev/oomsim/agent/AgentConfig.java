package dev.oomsim.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import dev.oomsim.agent.runtime.CommandLog;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.service.EnvOverrides;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * A node agent's settings: a properties file, then {@code OOMSIM_*} environment variables (compose), validated at
 * start with Kafka's {@link ConfigDef}, so a bad value fails with a message naming the key.
 */
public final class AgentConfig extends AbstractConfig {

    public static final String NODE_ID = "node.id";
    public static final String NODES = "nodes";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String MACHINE_FILE = "machine.file";
    public static final String METRICS_PORT = "metrics.port";
    public static final String METRICS_BIND_ADDRESS = "metrics.bind.address";
    public static final String POLL_TIMEOUT_MS = "poll.timeout.ms";
    public static final String LOCK_LEASE_MS = "lock.lease.ms";
    public static final String REPLICATION_FACTOR = "replication.factor";
    public static final String SNAPSHOT_EVERY_COMMANDS = "snapshot.every.commands";
    /** {@link #LOCK_LEASE_MS}'s default: {@code oom-lock}'s default lease. */
    public static final long DEFAULT_LOCK_LEASE_MS = 10_000L;

    static final ConfigDef DEF = new ConfigDef()
            .define(NODE_ID, Type.INT, ConfigDef.NO_DEFAULT_VALUE, Range.atLeast(0), Importance.HIGH,
                    "The NUMA node this agent simulates.")
            .define(NODES, Type.INT, ConfigDef.NO_DEFAULT_VALUE, Range.between(1, 1024), Importance.HIGH,
                    "How many nodes the simulated machine has (one agent each).")
            .define(BOOTSTRAP_SERVERS, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "Kafka bootstrap servers.")
            .define(TOPIC_PREFIX, Type.STRING, Topics.DEFAULT_PREFIX, Importance.MEDIUM,
                    "Prefix of every oomsim topic.")
            .define(MACHINE_FILE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "Scenario file describing the machine (nodes, zones, sysctls, initial tasks) the agent boots.")
            .define(METRICS_PORT, Type.INT, -1, Range.between(-1, 65535), Importance.MEDIUM,
                    "Port of /metrics and /health; -1: 9400 + node.id; 0: any free port.")
            .define(METRICS_BIND_ADDRESS, Type.STRING, "127.0.0.1", Importance.MEDIUM,
                    "Address /metrics and /health bind to.")
            .define(POLL_TIMEOUT_MS, Type.LONG, 100L, Range.between(1, 60_000), Importance.LOW,
                    "Consumer poll timeout.")
            .define(LOCK_LEASE_MS, Type.LONG, DEFAULT_LOCK_LEASE_MS, Range.between(100, 300_000), Importance.MEDIUM,
                    "Lease of the cluster-wide oom_lock claim; the holder stops acting as holder a tenth of it"
                            + " before it runs out. At most half the oom_lock topic's min.compaction.lag.ms (10 min).")
            .define(REPLICATION_FACTOR, Type.SHORT, (short) 1, Range.between(1, 32), Importance.LOW,
                    "Replication factor of the topics the agent creates.")
            .define(SNAPSHOT_EVERY_COMMANDS, Type.LONG, CommandLog.DEFAULT_SNAPSHOT_EVERY, Range.atLeast(0),
                    Importance.MEDIUM,
                    "Commands between two node snapshots on node-snapshots (taken at the first moment no request is in"
                            + " flight); a restart restores the newest and replays only the commands after it. 0: "
                            + "never.");

    public AgentConfig(Map<?, ?> props) {
        super(DEF, props, false);
        if (nodeId() >= nodes()) {
            throw new ConfigException(NODE_ID, nodeId(), "must be below " + NODES + " (" + nodes() + ")");
        }
    }

    /** Reads {@code file} (may be null) and {@code OOMSIM_*} overrides from {@code env}. */
    public static AgentConfig load(Path file, Map<String, String> env) {
        Properties p = EnvOverrides.load(file, env, "OOMSIM_");
        return new AgentConfig(p);
    }

    public int nodeId() {
        return getInt(NODE_ID);
    }

    public int nodes() {
        return getInt(NODES);
    }

    public String bootstrapServers() {
        return getString(BOOTSTRAP_SERVERS);
    }

    public Topics topics() {
        return new Topics(getString(TOPIC_PREFIX), nodes());
    }

    public Path machineFile() {
        return Path.of(getString(MACHINE_FILE));
    }

    public int metricsPort() {
        int port = getInt(METRICS_PORT);
        return port == -1 ? 9400 + nodeId() : port;
    }

    public String metricsBindAddress() {
        return getString(METRICS_BIND_ADDRESS);
    }

    public Duration pollTimeout() {
        return Duration.ofMillis(getLong(POLL_TIMEOUT_MS));
    }

    public Duration lockLease() {
        return Duration.ofMillis(getLong(LOCK_LEASE_MS));
    }

    public long snapshotEveryCommands() {
        return getLong(SNAPSHOT_EVERY_COMMANDS);
    }

    public short replicationFactor() {
        return getShort(REPLICATION_FACTOR);
    }

    /** The settings as documentation (for --help and the README). */
    public static String describe() {
        return DEF.toRst();
    }
}
