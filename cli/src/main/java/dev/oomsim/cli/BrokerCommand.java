package dev.oomsim.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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
                "With --dir the data stays there: a second start on the same directory serves the same topics."},
        footer = {"", "Examples:",
                "  oomsim broker --dir ./kafka-data",
                "  oomsim broker --dir /data --host 0.0.0.0 --advertised-host broker --metrics-port 9300"})
final class BrokerCommand implements Callable<Integer> {

    /** Exit status when the broker cannot start (a port in use, a log directory of another node). */
    static final int BROKER_FAILED = 1;

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Log directory, formatted on first use and kept (default: a temporary one, deleted at exit).")
    Path dir;

    @Option(names = "--port", paramLabel = "P", defaultValue = "9092",
            description = "PLAINTEXT listener port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", paramLabel = "C", defaultValue = "9093",
            description = "KRaft controller port, on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address the PLAINTEXT listener binds to (default: ${DEFAULT-VALUE}; 0.0.0.0 in a container).")
    String host;

    @Option(names = "--advertised-host", paramLabel = "HOST",
            description = "Host name clients are told to connect to (default: --host, or 127.0.0.1 for 0.0.0.0).")
    String advertisedHost;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "-1",
            description = "Serve /health and /metrics on 127.0.0.1:PORT (default: off).")
    int metricsPort;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String usage = usageProblem();
        if (usage != null) {
            err.println("oomsim broker: " + usage);
            return ExitCodes.BAD_INPUT;
        }
        String advertised = advertisedHost != null ? advertisedHost : "0.0.0.0".equals(host) ? "127.0.0.1" : host;
        BrokerConfig config = new BrokerConfig(dir, port, controllerPort, Map.of(
                "listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners", "PLAINTEXT://" + advertised + ":" + port));
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
        out.println("oomsim broker: Kafka broker (KRaft) serving on " + advertised + ":" + port
                + " (listening on " + host + ":" + port + "), data in " + broker.logDir()
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
