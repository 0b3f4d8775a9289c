package dev.oomsim.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.oomsim.agent.NodeAgent;
import dev.oomsim.agent.runtime.CommandLog;
import dev.oomsim.broker.BrokerConfig;
import dev.oomsim.broker.EmbeddedKafkaBroker;
import dev.oomsim.coordinator.CoordinatorConfig;
import dev.oomsim.coordinator.CoordinatorService;
import dev.oomsim.kernel.mm.NumaNode;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The oomsim stack in one JVM, started and stopped as one thing (in the manner of Kafka Trogdor's
 * {@code MiniTrogdorCluster}): a broker — an embedded KRaft broker this cluster starts, or an existing Kafka cluster
 * named by its bootstrap servers — the topics, one {@link NodeAgent} per node of the machine, and, when asked for, the
 * coordinator ({@link CoordinatorService}: the pressure views, their HTTP API and the dashboard). {@link #close()}
 * stops the agents, then the coordinator, then the broker it started, each bounded by one shutdown timeout; a start
 * that fails part way closes what it had started before it throws. Every in-process run of agents — {@code simulate
 * --distributed}, {@code demo}, {@code up}, the benchmarks and the integration tests — is built here.
 *
 * <p>Owned by the thread that built it: {@link #stopAgent}, {@link #startAgent} and {@link #close()} are not meant to
 * race each other.
 */
public final class OomsimCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OomsimCluster.class);

    private final Builder settings;
    private final EmbeddedKafkaBroker broker;
    private final String bootstrapServers;
    private final Topics topics;
    private final List<Integer> nodes;
    private final Map<Integer, NodeAgent> agents = new TreeMap<>();
    private CoordinatorService coordinator;
    private Path coordinatorTempDir;
    private boolean closed;

    private OomsimCluster(Builder settings, List<Integer> nodes, EmbeddedKafkaBroker broker, String bootstrapServers,
                          Topics topics) {
        this.settings = settings;
        this.nodes = nodes;
        this.broker = broker;
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
    }

    public static Builder builder(Scenario machine) {
        return new Builder(machine);
    }

    /** {@code host:port,…} of the broker the agents use. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Topics topics() {
        return topics;
    }

    public Scenario machine() {
        return settings.machine;
    }

    /** The embedded broker this cluster started; empty when it runs against an existing cluster. */
    public Optional<EmbeddedKafkaBroker> embeddedBroker() {
        return Optional.ofNullable(broker);
    }

    /** The nodes whose agents this cluster runs, ascending. */
    public List<Integer> agentNodes() {
        return nodes;
    }

    /** The running agent of {@code node}. */
    public NodeAgent agent(int node) {
        NodeAgent agent = agents.get(node);
        if (agent == null) {
            throw new IllegalArgumentException("no agent of node " + node + " is running (agents: " + agents.keySet()
                    + ")");
        }
        return agent;
    }

    /** The running agents, by node. */
    public Map<Integer, NodeAgent> agents() {
        return Collections.unmodifiableMap(agents);
    }

    /** The running coordinator; empty unless the builder asked for one ({@link Builder#coordinator}). */
    public Optional<CoordinatorService> coordinator() {
        return Optional.ofNullable(coordinator);
    }

    /** {@code http://host:port/} of the coordinator: the dashboard, the API under {@code api/}. */
    public Optional<URI> coordinatorUri() {
        return coordinator().map(CoordinatorService::httpUri);
    }

    /** Whether every running agent has replayed its command log and serves live commands. */
    public boolean isLive() {
        return !agents.isEmpty() && agents.values().stream().allMatch(NodeAgent::isLive);
    }

    /** Stops the agent of {@code node} as a crash-free shutdown would: its open transaction is aborted. */
    public void stopAgent(int node) {
        NodeAgent agent = agents.remove(node);
        if (agent == null) {
            throw new IllegalArgumentException("no agent of node " + node + " is running");
        }
        agent.close();
    }

    /**
     * Starts a new incarnation of the agent of {@code node} (stopped before, or never started because the builder
     * named other nodes): it restores its newest snapshot and replays its command log from there.
     */
    public NodeAgent startAgent(int node) {
        if (closed) {
            throw new IllegalStateException("the cluster is closed");
        }
        if (agents.containsKey(node)) {
            throw new IllegalStateException("the agent of node " + node + " is already running");
        }
        NodeAgent.Spec spec = new NodeAgent.Spec(bootstrapServers, topics, node, settings.machine,
                settings.pollTimeout, settings.snapshotEveryCommands, settings.metrics, settings.shutdownTimeout);
        NodeAgent agent = new NodeAgent(spec, settings.registry).start();
        agents.put(node, agent);
        return agent;
    }

    private void startCoordinator(Builder.CoordinatorSpec spec) {
        Path stateDir = spec.stateDir();
        if (stateDir == null) {
            try {
                coordinatorTempDir = Files.createTempDirectory("oomsim-coordinator-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the coordinator's state directory", e);
            }
            stateDir = coordinatorTempDir;
        }
        // One application id per topic set: stacks with other prefixes on the same Kafka cluster stay apart.
        CoordinatorConfig defaults = CoordinatorConfig.defaults(topics);
        CoordinatorConfig config = new CoordinatorConfig(topics, topics.prefix() + "coordinator",
                defaults.rateWindow(), defaults.grace(), defaults.recentKills());
        CoordinatorService.Spec service = new CoordinatorService.Spec(bootstrapServers, config, spec.httpHost(),
                spec.httpPort(), stateDir,
                CoordinatorService.Spec.DEFAULT_COMMIT_INTERVAL);
        coordinator = new CoordinatorService(service).start();
    }

    /** Stops the agents (highest node first), then the coordinator, then the broker this cluster started. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        List<Integer> nodes = new ArrayList<>(agents.keySet());
        Collections.reverse(nodes);
        for (int node : nodes) {
            try {
                agents.remove(node).close();
            } catch (RuntimeException e) {
                failure = addTo(failure, e);
            }
        }
        if (coordinator != null) {
            try {
                coordinator.close();
            } catch (RuntimeException e) {
                failure = addTo(failure, e);
            }
            coordinator = null;
        }
        if (coordinatorTempDir != null) {
            deleteTree(coordinatorTempDir);
        }
        if (broker != null) {
            try {
                broker.close();
            } catch (RuntimeException e) {
                failure = addTo(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete the coordinator's state directory {}", dir, e);
        }
    }

    private static RuntimeException addTo(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** How to start an {@link OomsimCluster}; every setting has a default but the machine. */
    public static final class Builder {
        private final Scenario machine;
        private BrokerConfig brokerConfig = BrokerConfig.defaults();
        private String bootstrapServers;
        private Topics topics;
        private List<Integer> nodes;
        private short replicationFactor = 1;
        private boolean ensureTopics = true;
        private Duration pollTimeout = Duration.ofMillis(100);
        private long snapshotEveryCommands = CommandLog.DEFAULT_SNAPSHOT_EVERY;
        private Duration shutdownTimeout = Duration.ofSeconds(15);
        private MeterRegistry registry = new SimpleMeterRegistry();
        private Optional<NodeAgent.MetricsEndpoint> metrics = Optional.empty();
        private CoordinatorSpec coordinator;

        /**
         * The coordinator the cluster runs.
         *
         * @param stateDir its Kafka Streams state directory; null: a temporary one, deleted on close
         */
        record CoordinatorSpec(String httpHost, int httpPort, Path stateDir) {
        }

        private Builder(Scenario machine) {
            this.machine = Objects.requireNonNull(machine, "machine");
        }

        /** Start an embedded KRaft broker with this configuration (the default: temporary log dir, free ports). */
        public Builder embeddedBroker(BrokerConfig config) {
            this.brokerConfig = Objects.requireNonNull(config, "config");
            this.bootstrapServers = null;
            return this;
        }

        /** Use an existing Kafka cluster instead of starting a broker. */
        public Builder bootstrapServers(String servers) {
            if (servers == null || servers.isBlank()) {
                throw new IllegalArgumentException("bootstrap servers must name at least one host:port");
            }
            this.bootstrapServers = servers;
            this.brokerConfig = null;
            return this;
        }

        /** The topics (default: {@link Topics#defaults(int)} for the machine's node count). */
        public Builder topics(Topics value) {
            this.topics = Objects.requireNonNull(value, "topics");
            return this;
        }

        /** Run agents only for these nodes (default: every node of the machine). */
        public Builder agents(List<Integer> value) {
            this.nodes = List.copyOf(value);
            return this;
        }

        /** Replication factor of the topics this cluster creates; existing topics are checked against it. */
        public Builder replicationFactor(short value) {
            if (value < 1) {
                throw new IllegalArgumentException("replication factor must be at least 1, not " + value);
            }
            this.replicationFactor = value;
            return this;
        }

        /** Whether to create (and check) the topics before the agents start (default true). */
        public Builder ensureTopics(boolean value) {
            this.ensureTopics = value;
            return this;
        }

        public Builder pollTimeout(Duration value) {
            this.pollTimeout = Objects.requireNonNull(value, "pollTimeout");
            return this;
        }

        /** Commands between two node snapshots (0: never). */
        public Builder snapshotEveryCommands(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("snapshotEveryCommands must be >= 0, not " + value);
            }
            this.snapshotEveryCommands = value;
            return this;
        }

        /** How long closing waits for each agent's loop (and the broker) to stop. */
        public Builder shutdownTimeout(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("shutdownTimeout must be positive, not " + value);
            }
            this.shutdownTimeout = value;
            return this;
        }

        /** Where every agent's meters go (tagged by node); left open on close. */
        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        /**
         * Serve each agent's {@code /metrics} and {@code /health} on {@code bindAddress}, on a free port each (needs a
         * Prometheus {@link #meterRegistry}).
         */
        public Builder agentMetrics(String bindAddress) {
            this.metrics = Optional.of(new NodeAgent.MetricsEndpoint(bindAddress, 0));
            return this;
        }

        /**
         * Run the coordinator too, its API and dashboard on {@code httpHost:httpPort} (0: a free port, see
         * {@link OomsimCluster#coordinatorUri()}), its Streams state in a temporary directory deleted on close.
         */
        public Builder coordinator(String httpHost, int httpPort) {
            return coordinator(httpHost, httpPort, null);
        }

        /** As {@link #coordinator(String, int)}, its Streams state kept in {@code stateDir} (a restart resumes). */
        public Builder coordinator(String httpHost, int httpPort, Path stateDir) {
            Objects.requireNonNull(httpHost, "httpHost");
            if (httpPort < 0 || httpPort > 65535) {
                throw new IllegalArgumentException("coordinator HTTP port " + httpPort + " is outside 0..65535");
            }
            this.coordinator = new CoordinatorSpec(httpHost, httpPort, stateDir);
            return this;
        }

        /** Starts the broker (unless external), ensures the topics, starts the coordinator (if asked), the agents. */
        public OomsimCluster start() {
            List<Integer> machineNodes = new ScenarioRunner(machine).machine().nodes().stream().map(NumaNode::id)
                    .toList();
            Topics t = topics != null ? topics : Topics.defaults(machineNodes.size());
            if (t.nodes() != machineNodes.size()) {
                throw new IllegalArgumentException("the topics are for " + t.nodes() + " nodes, the machine has "
                        + machineNodes.size());
            }
            List<Integer> agentNodes = nodes != null ? nodes : machineNodes;
            for (int node : agentNodes) {
                if (!machineNodes.contains(node)) {
                    throw new IllegalArgumentException("node " + node + " is not a node of the machine "
                            + machineNodes);
                }
            }
            List<Integer> sorted = agentNodes.stream().sorted().distinct().toList();
            EmbeddedKafkaBroker broker = brokerConfig == null ? null : EmbeddedKafkaBroker.start(brokerConfig);
            OomsimCluster cluster = new OomsimCluster(this, sorted, broker,
                    broker != null ? broker.bootstrapServers() : bootstrapServers, t);
            try {
                if (ensureTopics) {
                    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                            cluster.bootstrapServers))) {
                        new TopicEnsurer(admin, replicationFactor).ensure(t.all());
                    }
                }
                if (coordinator != null) {
                    cluster.startCoordinator(coordinator);
                }
                for (int node : sorted) {
                    cluster.startAgent(node);
                }
            } catch (RuntimeException e) {
                try {
                    cluster.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            log.info("oomsim cluster started: {} agent(s) on {}{}", sorted.size(), cluster.bootstrapServers,
                    cluster.coordinatorUri().map(u -> ", coordinator on " + u).orElse(""));
            return cluster;
        }
    }
}
