package dev.oomsim.coordinator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import dev.oomsim.coordinator.api.ApiServer;
import dev.oomsim.coordinator.api.StoreQueries;
import dev.oomsim.service.Health;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One coordinator instance (docs/coordinator.md): the {@link CoordinatorTopology} under Kafka Streams with exactly-once
 * v2, and the {@link ApiServer} on its own HTTP address, which is also its {@code application.server}, so instances
 * sharing an application id find and ask each other. {@link #start()} starts Streams; {@code /health} is UP only once
 * Streams is RUNNING (its stores restored). Kafka Streams' and its clients' meters are bound into the instance's
 * Prometheus registry and served at {@code /metrics}.
 */
public final class CoordinatorService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorService.class);
    /** The Streams producer's retry backoff ({@link #tuning}). */
    public static final int PRODUCER_RETRY_BACKOFF_MS = 10;
    /** How long an idle stream thread blocks in {@code poll} ({@link #tuning}). */
    public static final long POLL_MS = 10;

    /**
     * What one instance needs.
     *
     * @param httpHost       address to bind and to advertise to the other instances
     * @param httpPort       0: a free port ({@link #httpPort()})
     * @param stateDir       the Streams state directory; null: {@code <java.io.tmpdir>/oomsim-coordinator-<port>}
     * @param commitInterval how often Streams commits: how soon a folded view is visible
     */
    public record Spec(String bootstrapServers, CoordinatorConfig config, String httpHost, int httpPort,
                       Path stateDir, Duration commitInterval) {
        public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);

        public Spec {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(httpHost, "httpHost");
            Objects.requireNonNull(commitInterval, "commitInterval");
            if (httpPort < 0 || httpPort > 65535) {
                throw new IllegalArgumentException("HTTP port " + httpPort + " is outside 0..65535");
            }
            if (commitInterval.toMillis() < 1) {
                throw new IllegalArgumentException("commitInterval must be at least 1 ms, was " + commitInterval);
            }
        }

        /** An instance on 127.0.0.1, a free port, a temporary state dir and the default commit interval. */
        public static Spec local(String bootstrapServers, CoordinatorConfig config) {
            return new Spec(bootstrapServers, config, "127.0.0.1", 0, null, DEFAULT_COMMIT_INTERVAL);
        }

        public Spec withHttpPort(int port) {
            return new Spec(bootstrapServers, config, httpHost, port, stateDir, commitInterval);
        }

        public Spec withStateDir(Path dir) {
            return new Spec(bootstrapServers, config, httpHost, httpPort, dir, commitInterval);
        }
    }

    private final Spec spec;
    private final PrometheusMeterRegistry registry;
    private final ApiServer api;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private boolean closed;

    /** Binds the HTTP address and builds (does not start) Kafka Streams. */
    public CoordinatorService(Spec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        // The topology counts dead letters in Micrometer's global registry (it is built without one): serve them here.
        Metrics.addRegistry(registry);
        this.api = ApiServer.start(spec.httpHost(), spec.httpPort(), registry, this::health);
        try {
            this.streams = new KafkaStreams(CoordinatorTopology.build(spec.config()), streamsProperties());
            this.streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(registry);
            api.serve(new StoreQueries(streams, self(), Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            api.close();
            Metrics.removeRegistry(registry);
            registry.close();
            throw e;
        }
    }

    private Properties streamsProperties() {
        Properties p = tuning(spec.commitInterval());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, spec.config().applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapServers());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, spec.httpHost() + ":" + httpPort());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir().toString());
        p.put(StreamsConfig.CLIENT_ID_CONFIG, spec.config().applicationId() + "-" + httpPort());
        return p;
    }

    /**
     * The Streams settings of every instance besides its names and addresses (the bench runs its baselines with the
     * same): exactly-once v2, the commit interval, {@code poll.ms} {@value #POLL_MS} ms instead of 100, and a producer
     * retry backoff of {@value #PRODUCER_RETRY_BACKOFF_MS} ms instead of 100. A stream thread commits only between
     * polls, so an idle thread blocked in a 100 ms poll commits up to 100 ms late, and a kill waits in the uncommitted
     * {@code cluster-kills} transaction that long (the bench measured a median of 195 ms from {@code kills} to
     * {@code /api/kills} with 100, 140 ms with 5, commit interval 100 ms). Under transactions v2 a send that follows a
     * commit before its markers are written is answered CONCURRENT_TRANSACTIONS and retried after the backoff.
     */
    public static Properties tuning(Duration commitInterval) {
        Properties p = new Properties();
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), PRODUCER_RETRY_BACKOFF_MS);
        p.put(StreamsConfig.POLL_MS_CONFIG, POLL_MS);
        return p;
    }

    /** Starts Kafka Streams; {@code /health} turns UP once it is RUNNING. */
    public CoordinatorService start() {
        streams.start();
        log.info("coordinator {} started: API and dashboard on {}", spec.config().applicationId(), httpUri());
        return this;
    }

    /** The port the API is bound to. */
    public int httpPort() {
        return api.port();
    }

    /** {@code http://host:port/}: the dashboard, and the API under {@code api/}. */
    public java.net.URI httpUri() {
        return java.net.URI.create("http://" + spec.httpHost() + ":" + httpPort() + "/");
    }

    /** The Streams state directory this instance uses. */
    public Path stateDir() {
        return spec.stateDir() != null ? spec.stateDir()
                : Path.of(System.getProperty("java.io.tmpdir"), "oomsim-coordinator-" + httpPort());
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Whether Streams is RUNNING: every store restored and queryable. */
    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** UP once Streams is RUNNING; DOWN while it is created, rebalancing (restoring) or after it stopped. */
    public Health health() {
        KafkaStreams.State state = streams == null ? KafkaStreams.State.CREATED : streams.state();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("streams", state.name());
        details.put("applicationId", spec.config().applicationId());
        if (state == KafkaStreams.State.RUNNING) {
            return Health.up(details);
        }
        details.put("reason", "Kafka Streams is " + state + ", not RUNNING");
        return new Health(false, details);
    }

    HostInfo self() {
        return new HostInfo(spec.httpHost(), httpPort());
    }

    /** Closes Streams (committing or aborting its open transaction), then the HTTP server and the registry. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            streams.close(Duration.ofSeconds(15));
        } finally {
            streamsMetrics.close();
            api.close();
            Metrics.removeRegistry(registry);
            registry.close();
        }
    }
}
