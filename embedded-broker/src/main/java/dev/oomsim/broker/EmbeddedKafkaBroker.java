package dev.oomsim.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker in KRaft mode (one combined broker + controller node), run inside this JVM.
 *
 * <p>It is the runtime broker behind {@code oomsim up}, {@code demo} and {@code simulate --distributed},
 * and the broker every integration test uses (through the test kit). Ports are picked before the start
 * because the controller port must appear in {@code controller.quorum.voters}; they stay the same across
 * {@link #restart()}, which reopens the same log directory, so data survives a restart.
 *
 * <p>Not thread-safe: one thread starts, restarts and stops it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    static {
        // A fatal broker fault (a port already bound, a corrupt log dir) calls Exit.halt, which would take the
        // whole application down with it. Turn it into an exception on the thread that hit it instead.
        Exit.setHaltProcedure((code, message) -> {
            throw new BrokerFatalException("Kafka broker halted with status " + code + ": " + message);
        });
        Exit.setExitProcedure((code, message) -> {
            throw new BrokerFatalException("Kafka broker exited with status " + code + ": " + message);
        });
    }

    private final BrokerConfig config;
    private final Path logDir;
    private final boolean ownsLogDir;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(BrokerConfig config) {
        this.config = config;
        try {
            if (config.logDir() != null) {
                this.logDir = config.logDir();
                this.ownsLogDir = false;
                Files.createDirectories(logDir);
            } else {
                this.logDir = Files.createTempDirectory("oomsim-kafka-");
                this.ownsLogDir = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker log directory", e);
        }
        this.port = config.port() > 0 ? config.port() : freePort();
        this.controllerPort = config.controllerPort() > 0 ? config.controllerPort() : freePort();
        this.clusterId = formattedClusterId(logDir).orElseGet(() -> Uuid.randomUuid().toString());
    }

    /**
     * Starts the broker on the configured log directory — formatting it first when it is new or empty, reopening it
     * as it is when a broker formatted it before (a restart of {@code oomsim up --dir}: the data is still there) —
     * and returns once it serves requests.
     */
    public static EmbeddedKafkaBroker start(BrokerConfig config) {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(config);
        if (formattedClusterId(broker.logDir).isEmpty()) {
            broker.format();
        } else {
            log.info("reopening the Kafka log directory {} of cluster {}", broker.logDir, broker.clusterId);
        }
        broker.startServer();
        return broker;
    }

    /** The cluster id in {@code dir/meta.properties} when a broker formatted {@code dir} before. */
    static Optional<String> formattedClusterId(Path dir) {
        Path meta = dir.resolve("meta.properties");
        if (!Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(meta)) {
            p.load(in);
        } catch (IOException e) {
            throw new BrokerFatalException("cannot read " + meta + ": " + e.getMessage(), e);
        }
        String id = p.getProperty("cluster.id");
        if (id == null || id.isBlank()) {
            throw new BrokerFatalException(meta + " names no cluster.id: the directory is not a Kafka log directory"
                    + " this broker can reopen; move it away or name another one");
        }
        return Optional.of(id);
    }

    /** Starts a broker with the defaults (temporary log dir, free loopback ports). */
    public static EmbeddedKafkaBroker start() {
        return start(BrokerConfig.defaults());
    }

    /** {@code host:port} of the PLAINTEXT listener. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path logDir() {
        return logDir;
    }

    public boolean isRunning() {
        return server != null;
    }

    /** Stops the broker, keeping its log directory. */
    public void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer s = server;
        server = null;
        s.shutdown();
        s.awaitShutdown();
    }

    /** Stops (if running) and starts again on the same log directory and ports: data survives. */
    public void restart() {
        stop();
        startServer();
    }

    /** Stops the broker and deletes the log directory if this broker created it. */
    @Override
    public void close() {
        stop();
        if (ownsLogDir) {
            deleteRecursively(logDir);
        }
    }

    /** The broker properties actually used (for logs and for a child JVM's server.properties). */
    public Map<String, String> serverProperties() {
        Map<String, String> p = new TreeMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + "," + CONTROLLER_LISTENER + "://127.0.0.1:"
                + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        // One broker: every internal topic has replication factor 1, or the first consumer hangs forever.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The 128 MiB default dedupe buffer costs 155 MB of heap; compaction of our small topics needs far less.
        p.put("log.cleaner.dedupe.buffer.size", Long.toString(2L * 1024 * 1024));
        p.put("auto.create.topics.enable", "false");
        p.putAll(config.overrides());
        return p;
    }

    private void format() {
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(clusterId)
                .addDirectory(logDir.toString())
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setReleaseVersion(MetadataVersion.latestProduction())
                .setWriteBootstrapSnapshot(true);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new BrokerFatalException("cannot format Kafka log directory " + logDir + ": " + e.getMessage(), e);
        }
    }

    private void startServer() {
        Properties props = new Properties();
        props.putAll(serverProperties());
        KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            s.startup();
        } catch (RuntimeException e) {
            try {
                s.shutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new BrokerFatalException("Kafka broker failed to start on " + bootstrapServers() + ": "
                    + e.getMessage(), e);
        }
        server = s;
        log.info("Kafka {} broker (KRaft) serving on {} with log dir {}",
                org.apache.kafka.common.utils.internals.AppInfoParser.getVersion(), bootstrapServers(), logDir);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void deleteRecursively(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.warn("could not delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            log.warn("could not delete {}: {}", root, e.getMessage());
        }
    }
}
