package dev.oomsim.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.agent.runtime.CommandLog;
import dev.oomsim.agent.wire.NodeModel;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.service.Health;
import dev.oomsim.service.MetricsServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node agent: its cluster {@code oom_lock} contender, a {@link KernelNode} booted from the machine, the node's
 * exactly-once {@link CommandLog} on a thread of its own, and optionally {@code /metrics} and {@code /health}. This is
 * the only place an agent is put together: the service ({@link #main(String[])}, from {@link AgentConfig}) and every
 * in-process cluster (the {@code stack} module's {@code OomsimCluster}) build it from a {@link Spec}.
 * {@link #close()} (SIGTERM in the service) stops the loop; an open transaction is aborted, never half-committed.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

    /**
     * Everything one agent incarnation needs besides its meters.
     *
     * @param machine         the machine every agent boots (its own node's memory local, the others' remote)
     * @param metrics         where {@code /metrics} and {@code /health} listen; empty: not served
     * @param shutdownTimeout how long {@link #close()} waits for the command-log loop to end
     */
    public record Spec(String bootstrapServers, Topics topics, int nodeId, Scenario machine, Duration pollTimeout,
                       long snapshotEveryCommands, Optional<MetricsEndpoint> metrics, Duration shutdownTimeout,
                       Duration lockLease) {
        /** The lease of the cluster {@code oom_lock} claim when none is given ({@code lock.lease.ms}'s default). */
        public static final Duration DEFAULT_LOCK_LEASE = Duration.ofMillis(AgentConfig.DEFAULT_LOCK_LEASE_MS);

        /** A spec with the default {@code oom_lock} lease. */
        public Spec(String bootstrapServers, Topics topics, int nodeId, Scenario machine, Duration pollTimeout,
                    long snapshotEveryCommands, Optional<MetricsEndpoint> metrics, Duration shutdownTimeout) {
            this(bootstrapServers, topics, nodeId, machine, pollTimeout, snapshotEveryCommands, metrics,
                    shutdownTimeout, DEFAULT_LOCK_LEASE);
        }

        public Spec {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(topics, "topics");
            Objects.requireNonNull(machine, "machine");
            Objects.requireNonNull(pollTimeout, "pollTimeout");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
            Objects.requireNonNull(lockLease, "lockLease");
            if (nodeId < 0 || nodeId >= topics.nodes()) {
                throw new IllegalArgumentException("nodeId " + nodeId + " is not a node of a " + topics.nodes()
                        + "-node machine");
            }
            if (shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
                throw new IllegalArgumentException("shutdownTimeout must be positive, not " + shutdownTimeout);
            }
        }

        /** The agent's name in thread names, client ids and logs. */
        public String service() {
            return "node-agent-" + nodeId;
        }
    }

    /** Address of an agent's {@code /metrics} and {@code /health}; port 0 picks a free one. */
    public record MetricsEndpoint(String bindAddress, int port) {
        public MetricsEndpoint {
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("metrics port " + port + " is outside 0..65535");
            }
        }
    }

    private final Spec spec;
    private final MeterRegistry registry;
    private final boolean ownsRegistry;
    private final ClusterLock clusterLock;
    private final CommandLog commandLog;
    private final MetricsServer metrics;
    private final Thread loopThread;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /**
     * An agent whose meters go to {@code registry} (left open on close). Serving {@code /metrics} needs a
     * {@link PrometheusMeterRegistry}. The topics must exist.
     */
    public NodeAgent(Spec spec, MeterRegistry registry) {
        this(spec, registry, false);
    }

    /** The service: its machine file, its topics ensured, its own Prometheus registry and metrics endpoint. */
    public NodeAgent(AgentConfig config) {
        this(ServiceSettings.read(config), newServiceRegistry());
    }

    private NodeAgent(ServiceSettings settings, PrometheusMeterRegistry registry) {
        this(settings.spec(), ensureTopics(settings, registry), true);
    }

    private NodeAgent(Spec spec, MeterRegistry registry, boolean ownsRegistry) {
        this.spec = spec;
        this.registry = registry;
        this.ownsRegistry = ownsRegistry;
        this.clusterLock = new CompactedTopicClusterLock(spec.bootstrapServers(), spec.topics().oomLock().name(),
                "node-" + spec.nodeId(), spec.lockLease(), registry);
        try {
            NodeModel.Boot boot = new NodeModel.Boot(spec.nodeId(), spec.machine());
            // A fresh node per fold: the command log folds again after a restart finds a grant it lost.
            this.commandLog = new CommandLog(new CommandLog.Settings(spec.bootstrapServers(), spec.topics(),
                    spec.nodeId(), spec.pollTimeout(), spec.service(), spec.snapshotEveryCommands()),
                    () -> new KernelNode(boot, spec.topics(), clusterLock, registry), registry);
            this.metrics = spec.metrics().map(m -> MetricsServer.start(m.bindAddress(), m.port(),
                    prometheus(registry), this::health)).orElse(null);
        } catch (RuntimeException e) {
            clusterLock.close();
            throw e;
        }
        this.loopThread = new Thread(() -> {
            try {
                commandLog.run();
            } catch (RuntimeException e) {
                log.error("node {} agent stopped: {}", spec.nodeId(), e.toString(), e);
            } finally {
                stopped.countDown();
            }
        }, spec.service());
        loopThread.setDaemon(true);
    }

    /**
     * What the service reads of its {@link AgentConfig}, every key once, in one place: the agent's spec and the
     * replication factor of the topics it ensures.
     */
    record ServiceSettings(Spec spec, short replicationFactor) {
        static ServiceSettings read(AgentConfig config) {
            Spec spec = new Spec(config.bootstrapServers(), config.topics(), config.nodeId(),
                    readMachine(config.machineFile()), config.pollTimeout(), config.snapshotEveryCommands(),
                    Optional.of(new MetricsEndpoint(config.metricsBindAddress(), config.metricsPort())),
                    Duration.ofSeconds(15), config.lockLease());
            return new ServiceSettings(spec, config.replicationFactor());
        }
    }

    private static PrometheusMeterRegistry newServiceRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        return registry;
    }

    private static MeterRegistry ensureTopics(ServiceSettings settings, MeterRegistry registry) {
        Spec spec = settings.spec();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapServers()))) {
            new TopicEnsurer(admin, settings.replicationFactor()).ensure(spec.topics().all());
        }
        return registry;
    }

    private static PrometheusMeterRegistry prometheus(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry p) {
            return p;
        }
        throw new IllegalArgumentException("serving /metrics needs a PrometheusMeterRegistry, not "
                + registry.getClass().getSimpleName());
    }

    /** Starts the command-log loop. */
    public NodeAgent start() {
        loopThread.start();
        if (metrics != null) {
            log.info("node {} agent started: metrics and health on {}:{}", spec.nodeId(),
                    spec.metrics().orElseThrow().bindAddress(), metrics.port());
        } else {
            log.info("node {} agent started", spec.nodeId());
        }
        return this;
    }

    public int nodeId() {
        return spec.nodeId();
    }

    /** Whether the agent serves live commands (its replay is over). */
    public boolean isLive() {
        return commandLog.isLive();
    }

    /** Whether the command-log loop has ended (closed, or stopped by a fault it logged). */
    public boolean hasStopped() {
        return stopped.getCount() == 0;
    }

    /** Where this start's replay of the command log began: the restored snapshot's offset, 0 without one. */
    public long replayFrom() {
        return commandLog.replayFrom();
    }

    /** Port of {@code /metrics} and {@code /health}; -1 when not served. */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.port();
    }

    /** UP once replay is over and the loop serves live commands; DOWN while it replays or after it stopped. */
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("node", spec.nodeId());
        details.put("live", commandLog.isLive());
        details.put("committedOffset", commandLog.lastCommittedOffset());
        details.put("replayedFrom", commandLog.replayFrom());
        details.put("replayedUntil", commandLog.replayUntil());
        if (hasStopped()) {
            return Health.down("the command-log loop has stopped");
        }
        return new Health(commandLog.isLive(), details);
    }

    /**
     * Stops the loop and waits for it up to the spec's shutdown timeout, then closes the lock contender and the
     * metrics endpoint. A loop that does not end in time is reported, and the rest is closed all the same.
     */
    @Override
    public void close() {
        commandLog.close();
        try {
            if (loopThread.isAlive() && !stopped.await(spec.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("node {} agent's command-log loop did not stop within {}", spec.nodeId(),
                        spec.shutdownTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clusterLock.close();
        if (metrics != null) {
            metrics.close();
        }
        if (ownsRegistry) {
            registry.close();
        }
    }

    /** Reads a machine (scenario) file as every agent boots it. */
    public static Scenario readMachine(Path file) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        try {
            return ScenarioParser.parse(yaml.readValue(file.toFile(), Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read machine file " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code java -cp … dev.oomsim.agent.NodeAgent [settings.properties]}; {@code OOMSIM_*} variables override. */
    public static void main(String[] args) throws InterruptedException {
        AgentConfig config = AgentConfig.load(args.length > 0 ? Path.of(args[0]) : null, System.getenv());
        NodeAgent agent = new NodeAgent(config).start();
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "node-agent-shutdown"));
        agent.stopped.await();
    }
}
