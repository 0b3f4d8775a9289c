package dev.oomsim.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.oomsim.broker.BrokerConfig;
import dev.oomsim.broker.BrokerFatalException;
import dev.oomsim.broker.EmbeddedKafkaBroker;
import dev.oomsim.service.Health;
import dev.oomsim.service.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oomsim broker}: a standalone single-node Kafka broker (KRaft, combined broker + controller) from our own jar,
 * the runtime broker the other commands embed, serving until SIGTERM or Ctrl-C. For users without Docker, and the
 * broker the compose end-to-end test swaps in for the official image.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Runs a single-node Apache Kafka broker (KRaft) until SIGTERM or Ctrl-C.",
                "With --dir the data stays there: a second start on the same directory serves the same topics.",
                "KAFKA_<NAME> environment variables set broker properties over the defaults and the options, as the",
                "apache/kafka image reads them (KAFKA_LOG_DIRS -> log.dirs; __ -> _, ___ -> -), so this broker",
                "stands in for that image in docker-compose.yml."},
        footer = {"", "Examples:",
                "  oomsim broker --dir ./kafka-data",
                "  oomsim broker --dir /data --host 0.0.0.0 --advertised-host broker --metrics-port 9300"})
final class BrokerCommand implements Callable<Integer> {

    /** Exit status when the broker cannot start (a port in use, a log directory of another node). */
    static final int BROKER_FAILED = 1;

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = {"Log directory, formatted on first use and kept",
                    "(default: KAFKA_LOG_DIRS, else a temporary one, deleted at exit)."})
    Path dir;

    @Option(names = "--port", paramLabel = "P", defaultValue = "9092",
            description = "PLAINTEXT listener port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", paramLabel = "C", defaultValue = "9093",
            description = "KRaft controller port, on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address the PLAINTEXT listener binds to (default: ${DEFAULT-VALUE}; 0.0.0.0 in containers).")
    String host;

    @Option(names = "--advertised-host", paramLabel = "HOST",
            description = "Host name clients are told to connect to (default: --host, or 127.0.0.1 for 0.0.0.0).")
    String advertisedHost;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "-1",
            description = "Serve /health and /metrics on 127.0.0.1:PORT (default: off).")
    int metricsPort;

    /** Variables of the apache/kafka image that are not broker properties (JVM options, the cluster id). */
    static final Set<String> NOT_BROKER_PROPERTIES = Set.of("KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_LOG4J_OPTS",
            "KAFKA_JMX_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_VERSION");

    /** The environment the command reads its {@code KAFKA_*} variables from (tests give their own). */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> fromEnvironment = brokerProperties(environment);
        String envLogDirs = fromEnvironment.get("log.dirs");
        if (envLogDirs != null && dir == null) {
            dir = Path.of(envLogDirs);
        }
        String usage = usageProblem();
        if (usage == null && envLogDirs != null && !Path.of(envLogDirs).equals(dir)) {
            usage = "KAFKA_LOG_DIRS (" + envLogDirs + ") and --dir (" + dir + ") name different directories";
        }
        if (usage != null) {
            err.println("oomsim broker: " + usage);
            return ExitCodes.BAD_INPUT;
        }
        String advertised = advertisedHost != null ? advertisedHost : "0.0.0.0".equals(host) ? "127.0.0.1" : host;
        Map<String, String> overrides = new TreeMap<>(Map.of(
                "listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners", "PLAINTEXT://" + advertised + ":" + port));
        overrides.putAll(fromEnvironment);
        BrokerConfig config = new BrokerConfig(dir, port, controllerPort, overrides);
        EmbeddedKafkaBroker broker;
        try {
            broker = EmbeddedKafkaBroker.start(config);
        } catch (BrokerFatalException e) {
            err.println("oomsim broker: " + e.getMessage());
            return BROKER_FAILED;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MetricsServer metrics = metricsPort < 0 ? null
                : MetricsServer.start("127.0.0.1", metricsPort, registry, () -> health(broker, advertised));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            if (metrics != null) {
                metrics.close();
            }
            registry.close();
            stopped.countDown();
        }, "oomsim-broker-shutdown"));
        Map<String, String> used = broker.serverProperties();
        out.println("oomsim broker: Kafka broker (KRaft) serving on " + used.get("advertised.listeners")
                + " (listening on " + used.get("listeners") + "), data in " + broker.logDir()
                + (metrics == null ? "" : ", /health on 127.0.0.1:" + metrics.port()));
        out.flush();
        stopped.await();
        return ExitCodes.OK;
    }

    /** What is wrong with the options, or null. */
    private String usageProblem() {
        if (port < 1 || port > 65535) {
            return "--port must be 1..65535, was " + port;
        }
        if (controllerPort < 1 || controllerPort > 65535) {
            return "--controller-port must be 1..65535, was " + controllerPort;
        }
        if (port == controllerPort) {
            return "--port and --controller-port must differ, both were " + port;
        }
        if (metricsPort < -1 || metricsPort > 65535) {
            return "--metrics-port must be 0..65535 (or -1 for off), was " + metricsPort;
        }
        if (advertisedHost != null && "0.0.0.0".equals(advertisedHost)) {
            return "--advertised-host must be a name or address clients can reach, not 0.0.0.0";
        }
        return null;
    }

    /**
     * The broker properties the {@code KAFKA_*} variables of {@code env} set, mapped as the apache/kafka image maps
     * them: the prefix dropped, lower case, {@code ___} to {@code -}, {@code __} to {@code _}, {@code _} to
     * {@code .}.
     */
    static Map<String, String> brokerProperties(Map<String, String> env) {
        Map<String, String> props = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("KAFKA_") && !NOT_BROKER_PROPERTIES.contains(name)) {
                props.put(propertyOf(name), value);
            }
        });
        return props;
    }

    /** {@code KAFKA_LOG_DIRS} → {@code log.dirs}. */
    static String propertyOf(String variable) {
        return variable.substring("KAFKA_".length()).toLowerCase(Locale.ROOT)
                .replace("___", "\u0001").replace("__", "\u0002").replace('_', '.')
                .replace('\u0001', '-').replace('\u0002', '_');
    }

    private static Health health(EmbeddedKafkaBroker broker, String advertised) {
        if (!broker.isRunning()) {
            return Health.down("the broker has stopped");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("advertised", advertised);
        details.put("logDir", broker.logDir().toString());
        return Health.up(details);
    }
}
