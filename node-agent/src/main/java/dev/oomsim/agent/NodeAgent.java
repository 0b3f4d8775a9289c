package dev.oomsim.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.agent.runtime.CommandLog;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.service.Health;
import dev.oomsim.service.MetricsServer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node agent as a service: boots its node from the machine file, ensures the topics, serves {@code /metrics} and
 * {@code /health}, and runs the node's exactly-once command log until {@link #close()} (SIGTERM in
 * {@link #main(String[])}), which stops the loop; an open transaction is aborted, never half-committed.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

    private final AgentConfig config;
    private final PrometheusMeterRegistry registry;
    private final CommandLog commandLog;
    private final ClusterLock clusterLock;
    private final MetricsServer metrics;
    private final Thread loopThread;
    private final CountDownLatch stopped = new CountDownLatch(1);

    public NodeAgent(AgentConfig config) {
        this.config = config;
        Scenario machine = readMachine(config.machineFile());
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
            new TopicEnsurer(admin, config.replicationFactor()).ensure(config.topics().all());
        }
        this.clusterLock = new CompactedTopicClusterLock(config.bootstrapServers(), config.topics().oomLock().name(),
                "node-" + config.nodeId(), registry);
        KernelNode node = new KernelNode(config.nodeId(), machine, config.topics(), clusterLock, registry);
        String service = "node-agent-" + config.nodeId();
        this.commandLog = new CommandLog(new CommandLog.Settings(config.bootstrapServers(), config.topics(), config.nodeId(),
                config.pollTimeout(), service, config.snapshotEveryCommands()), node, registry);
        this.metrics = MetricsServer.start(config.metricsBindAddress(), config.metricsPort(), registry, this::health);
        this.loopThread = new Thread(() -> {
            try {
                commandLog.run();
            } catch (RuntimeException e) {
                log.error("node {} agent stopped: {}", config.nodeId(), e.toString(), e);
            } finally {
                stopped.countDown();
            }
        }, service);
    }

    /** Starts the command-log loop. */
    public NodeAgent start() {
        loopThread.start();
        log.info("node {} agent started: metrics and health on {}:{}", config.nodeId(), config.metricsBindAddress(), metrics.port());
        return this;
    }

    /** Whether the agent serves live commands (its replay is over). */
    boolean isLive() {
        return commandLog.isLive();
    }

    /** Where this start's replay of the command log began: the restored snapshot's offset, 0 without one. */
    long replayFrom() {
        return commandLog.replayFrom();
    }

    /** Port of {@code /metrics} and {@code /health}. */
    public int metricsPort() {
        return metrics.port();
    }

    /** UP once replay is over and the loop serves live commands; DOWN while it replays or after it stopped. */
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("node", config.nodeId());
        details.put("live", commandLog.isLive());
        details.put("committedOffset", commandLog.lastCommittedOffset());
        details.put("replayedFrom", commandLog.replayFrom());
        if (stopped.getCount() == 0) {
            return Health.down("the command-log loop has stopped");
        }
        return new Health(commandLog.isLive(), details);
    }

    @Override
    public void close() {
        commandLog.close();
        try {
            loopThread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clusterLock.close();
        metrics.close();
        registry.close();
    }

    static Scenario readMachine(Path file) {
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
