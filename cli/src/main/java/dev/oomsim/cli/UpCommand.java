package dev.oomsim.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import dev.oomsim.broker.BrokerConfig;
import dev.oomsim.broker.BrokerFatalException;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.topics.TopicMismatchException;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.OomsimCluster;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code oomsim up}: the whole stack — broker, one node agent per node — until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Runs the stack until Ctrl-C.",
                "An embedded Kafka broker (KRaft) or an existing Kafka cluster, one node agent per NUMA node of",
                "the machine, and the coordinator with its dashboard and HTTP API (http://127.0.0.1:8081/).",
                "Ctrl-C stops the agents, then the coordinator, then the broker, and",
                "loses nothing: with --dir the broker keeps its data there and the next `up --dir` resumes it."},
        footerHeading = "%nExamples:%n",
        footer = {"  oomsim up                                  # 4 nodes, Kafka on 127.0.0.1:9092",
                "  oomsim up --nodes 2 --dir /var/tmp/oomsim  # keep the data; run it again to resume",
                "  oomsim up --machine scenarios/2-nodes-global-kill.yaml --port 0",
                "  oomsim up --bootstrap kafka-1:9092,kafka-2:9092 --replication-factor 3",
                "",
                "Then, from another terminal: oomsim kills --follow, oomsim pressure --watch.",
                "Exit status: 130 after Ctrl-C (a clean stop), 1 the stack cannot start (the message says why),",
                "2 bad usage or an invalid machine file."})
final class UpCommand implements Callable<Integer> {

    /** The line {@code up} prints on stdout once every agent is live (tests and scripts wait for it). */
    static final String READY = "oomsim up: ready";
    /** How long the agents may take to replay their command logs and go live. */
    static final Duration LIVE_TIMEOUT = Duration.ofMinutes(5);
    static final String COORDINATOR_HOST = "127.0.0.1";

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N",
            description = "NUMA nodes of a plain machine (1 GiB NORMAL zone each), one agent per node (default 4).")
    Integer nodes;

    @Option(names = "--machine", paramLabel = "FILE",
            description = "Scenario file whose machine (nodes, zones, tasks, sysctls) the agents run; its events are"
                    + " not played.")
    Path machineFile;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,HOST:PORT…]",
            description = "Run against this existing Kafka cluster instead of starting an embedded broker.")
    String bootstrap;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Keep the embedded broker's data in DIR (created when missing): a restart resumes it."
                    + " Default: a temporary directory deleted on exit.")
    Path dir;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
            description = "Port of the embedded broker on 127.0.0.1 (default ${DEFAULT-VALUE}; 0: a free one).")
    int port;

    @Option(names = "--coordinator-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Port of the coordinator's dashboard and HTTP API on 127.0.0.1 (default ${DEFAULT-VALUE};"
                    + " 0: a free one).")
    int coordinatorPort;

    @Option(names = "--replication-factor", paramLabel = "R", defaultValue = "1",
            description = "Replication factor of the topics created on --bootstrap; existing topics are checked"
                    + " against it (default ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of every topic name (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar on stderr.")
    boolean quiet;

    @Override
    public Integer call() {
        StackSettings settings = settings();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar bar = ProgressBar.forStderr(err, quiet);
        // The shutdown hook lets the JVM go as soon as the interruption closes: everything is said before that.
        try (Interruption interruption = Interruption.install()) {
            try (OomsimCluster cluster = settings.start(bar, interruption)) {
                if (cluster == null) {
                    return ExitCodes.INTERRUPTED;
                }
                out.println("oomsim up: Kafka on " + cluster.bootstrapServers() + settings.brokerNote(cluster) + ", "
                        + cluster.agentNodes().size() + " node agent(s) live, topics "
                        + settings.topics.prefix() + "*");
                out.println("oomsim up: dashboard " + cluster.coordinatorUri().orElseThrow() + ", API under "
                        + cluster.coordinatorUri().orElseThrow().resolve("api/pressure"));
                out.println(READY + " (Ctrl-C stops agents, then coordinator, then broker)");
                out.flush();
                while (!interruption.await(Duration.ofHours(1))) {
                    // runs until Ctrl-C or SIGTERM
                }
                out.println("oomsim up: stopping the agents, then the coordinator, then the broker");
                out.flush();
            }
            out.println("oomsim up: stopped");
            out.flush();
        }
        return ExitCodes.INTERRUPTED;
    }

    private StackSettings settings() {
        boolean portGiven = spec.commandLine().getParseResult().hasMatchedOption("--port");
        if (bootstrap != null && dir != null) {
            throw new UsageFailure("--dir keeps the embedded broker's data: it does not go with --bootstrap, whose"
                    + " cluster keeps its own");
        }
        if (bootstrap != null && portGiven) {
            throw new UsageFailure("--port sets the embedded broker's port: it does not go with --bootstrap");
        }
        if (bootstrap == null && replicationFactor != 1) {
            throw new UsageFailure("the embedded broker is one broker: --replication-factor " + replicationFactor
                    + " needs --bootstrap naming a cluster of at least that many brokers");
        }
        if (replicationFactor < 1) {
            throw new UsageFailure("--replication-factor must be at least 1, not " + replicationFactor);
        }
        if (port < 0 || port > 65535) {
            throw new UsageFailure("--port must be 0..65535, not " + port);
        }
        if (coordinatorPort < 0 || coordinatorPort > 65535) {
            throw new UsageFailure("--coordinator-port must be 0..65535, not " + coordinatorPort);
        }
        if (coordinatorPort != 0 && coordinatorPort == port) {
            throw new UsageFailure("--coordinator-port and --port are both " + port + ": give them different ports");
        }
        Scenario machine = machine();
        Topics topics;
        try {
            topics = new Topics(topicPrefix, machine.nodes().size());
        } catch (IllegalArgumentException e) {
            throw new UsageFailure("--topic-prefix: " + e.getMessage());
        }
        return new StackSettings(machine, topics, bootstrap, dir, port, replicationFactor, coordinatorPort);
    }

    private Scenario machine() {
        if (machineFile == null) {
            return Machines.plain(nodes == null ? 4 : nodes);
        }
        Scenario machine = Machines.fromFile(machineFile);
        if (nodes != null && nodes != machine.nodes().size()) {
            throw new UsageFailure("--nodes " + nodes + " but " + machineFile + " has " + machine.nodes().size()
                    + " node(s): drop --nodes, or name a machine with that many");
        }
        if (!machine.events().isEmpty()) {
            spec.commandLine().getErr().println("oomsim up: " + machineFile + " has " + machine.events().size()
                    + " event(s): up runs its machine only (play the events with `oomsim simulate --distributed`)");
        }
        return machine;
    }

    /**
     * What {@code up} (and {@code demo}) start: the machine, topics, broker and coordinator, checked.
     *
     * @param coordinatorPort the coordinator's HTTP port on 127.0.0.1 (0: a free one); its Streams state lives in a
     *                        temporary directory and is restored from its changelog topics after a restart
     */
    record StackSettings(Scenario machine, Topics topics, String bootstrap, Path dir, int port,
                         short replicationFactor, int coordinatorPort) {

        /**
         * Starts the stack, the progress bar counting agents going live; null when Ctrl-C came first (what had
         * started is closed again).
         */
        OomsimCluster start(ProgressBar bar, Interruption interruption) {
            requireFreePort(coordinatorPort, "--coordinator-port");
            OomsimCluster.Builder builder = OomsimCluster.builder(machine).topics(topics)
                    .replicationFactor(replicationFactor).coordinator(COORDINATOR_HOST, coordinatorPort);
            if (bootstrap != null) {
                bar.show("connecting to Kafka at " + bootstrap, 0, 0);
                BrokerOptions.requireReachable(bootstrap, "check the address, or leave out --bootstrap to run an"
                        + " embedded broker");
                builder.bootstrapServers(bootstrap);
            } else {
                requireFreePort(port, "--port");
                BrokerConfig config = BrokerConfig.defaults().withPort(port);
                if (dir != null) {
                    requireWritable(dir);
                    config = config.withLogDir(dir.toAbsolutePath());
                }
                builder.embeddedBroker(config);
                bar.show("starting the Kafka broker and " + machine.nodes().size() + " node agent(s)", 0, 0);
            }
            OomsimCluster cluster;
            try {
                cluster = builder.start();
            } catch (BrokerFatalException e) {
                bar.erase();
                throw new CommandFailure("the embedded Kafka broker did not start: " + e.getMessage()
                        + (dir != null ? " (is " + dir + " a directory another broker or build wrote?)" : ""), e);
            } catch (TopicMismatchException e) {
                bar.erase();
                throw new CommandFailure(e.getMessage(), e);
            } catch (IllegalStateException e) {
                bar.erase();
                if (e.getCause() instanceof KafkaException) {
                    // The cluster refused the topics (too few brokers for the replication factor, no rights).
                    throw new CommandFailure(e.getMessage().replaceAll("\\.$", "")
                            + (bootstrap != null && replicationFactor > 1
                            ? ": lower --replication-factor to at most the number of brokers" : ""), e);
                }
                throw e;
            }
            try {
                long deadline = System.nanoTime() + LIVE_TIMEOUT.toNanos();
                int total = cluster.agentNodes().size();
                while (!cluster.isLive()) {
                    long live = cluster.agents().values().stream().filter(a -> a.isLive()).count();
                    bar.show("node agents replaying their command logs: " + live + "/" + total + " live", live, total);
                    if (interruption.await(Duration.ofMillis(100))) {
                        bar.erase();
                        cluster.close();
                        return null;
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new CommandFailure("the node agents were not live within " + LIVE_TIMEOUT.toMinutes()
                                + " min: look at the log above (OOMSIM_LOG_LEVEL=INFO shows their progress)");
                    }
                }
                bar.erase();
                return cluster;
            } catch (RuntimeException e) {
                bar.erase();
                cluster.close();
                throw e;
            }
        }

        /** Where the broker's data lives, for the first line {@code up} prints. */
        String brokerNote(OomsimCluster cluster) {
            if (cluster.embeddedBroker().isEmpty()) {
                return " (an existing cluster, topics with replication factor " + replicationFactor + ")";
            }
            return dir != null ? " (embedded KRaft broker, data kept in " + dir + ")"
                    : " (embedded KRaft broker, data deleted on exit; --dir keeps it)";
        }

        static boolean isFree(int port) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        private static void requireFreePort(int port, String option) {
            if (port == 0) {
                return;
            }
            if (!isFree(port)) {
                throw new CommandFailure("port " + port + " on 127.0.0.1 is taken (another `oomsim up` or Kafka?):"
                        + " stop what listens there, or pass " + option + " 0 for a free port");
            }
        }

        private static void requireWritable(Path dir) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new CommandFailure("cannot create the broker directory " + dir + ": " + e.getMessage());
            }
            if (!Files.isWritable(dir)) {
                throw new CommandFailure("the broker directory " + dir + " is not writable: name one you may write");
            }
        }
    }
}
