package dev.oomsim.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.OomCall;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.stack.OomsimCluster;
import dev.oomsim.stack.ScenarioFeeder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oomsim demo}: the whole stack on a real embedded Kafka broker — four node agents of one NUMA machine —
 * and a memory leak that grows until the OOM killer acts several times; every kill printed as the kernel logged it with
 * the line saying why, the pressure table at the end, everything shut down.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"A 4-node machine on a real Kafka broker leaks memory until the OOM killer acts.",
                "Starts an embedded Kafka broker (KRaft) and four node agents of one NUMA machine, runs a",
                "memory leak through them until the OOM killer has acted --kills times, prints each kill as the",
                "kernel's log lines with a line saying why this victim, serves the coordinator's dashboard while it",
                "runs (http://127.0.0.1:8081/, or a free port if that one is taken), ends with the coordinator's",
                "pressure table of every node and the cluster, and shuts everything down (agents, coordinator,",
                "broker). About 20 s here."},
        footerHeading = "%nExamples:%n",
        footer = {"  oomsim demo",
                "  oomsim demo --kills 2 --quiet",
                "",
                "Exit status: 0 the OOM killer acted (or Ctrl-C), 1 it did not within --timeout or the stack failed,",
                "2 bad usage."})
final class DemoCommand implements Callable<Integer> {

    /** The dashboard's port when it is free; else any free port (the demo prints the URL). */
    static final int DASHBOARD_PORT = 8081;
    private static final Duration FOLD_TIMEOUT = Duration.ofSeconds(20);

    @Spec
    CommandSpec spec;

    @Option(names = "--kills", paramLabel = "K", defaultValue = "3",
            description = "Stop after this many OOM kills, 1.." + 4 + " (default ${DEFAULT-VALUE}).")
    int targetKills;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "50",
            description = "Give up leaking after this many seconds (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar on stderr.")
    boolean quiet;

    @Override
    public Integer call() {
        if (targetKills < 1 || targetKills > DemoLeak.LEAKERS.size()) {
            throw new UsageFailure("--kills must be 1.." + DemoLeak.LEAKERS.size() + " (one per leaking worker), not "
                    + targetKills);
        }
        if (timeoutSeconds < 1) {
            throw new UsageFailure("--timeout must be at least 1 second, not " + timeoutSeconds);
        }
        long started = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar bar = ProgressBar.forStderr(err, quiet);
        DemoLeak leak = new DemoLeak();
        List<KillEvent> kills = new ArrayList<>();
        // The shutdown hook lets the JVM go as soon as the interruption closes: everything is said before that.
        try (Interruption interruption = Interruption.install()) {
            UpCommand.StackSettings settings = new UpCommand.StackSettings(leak.machine(),
                    new dev.oomsim.schemas.topics.Topics(dev.oomsim.schemas.topics.Topics.DEFAULT_PREFIX,
                            DemoLeak.NODES), null, null, 0, (short) 1,
                    UpCommand.StackSettings.isFree(DASHBOARD_PORT) ? DASHBOARD_PORT : 0);
            try (OomsimCluster cluster = settings.start(bar, interruption)) {
                if (cluster == null) {
                    return ExitCodes.INTERRUPTED;
                }
                out.println("oomsim demo: Kafka " + kafkaVersion() + " (embedded KRaft broker) on "
                        + cluster.bootstrapServers() + ", " + cluster.agentNodes().size() + " node agents of a "
                        + DemoLeak.NODES + "-node machine (" + DemoLeak.NODE_PAGES + " pages a node)");
                out.println("oomsim demo: watch it from another terminal: oomsim kills --bootstrap "
                        + cluster.bootstrapServers() + " --from-beginning --follow");
                out.println("oomsim demo: dashboard " + cluster.coordinatorUri().orElseThrow()
                        + " (open it while the demo runs)");
                out.println("oomsim demo: leaky-worker allocates GFP_KERNEL order-" + DemoLeak.LEAK_ORDER
                        + " blocks round the nodes until the OOM killer has acted " + targetKills + " time(s)");
                out.println();
                out.flush();
                leak(cluster, leak, kills, out, bar, interruption);
                bar.erase();
                printPressure(cluster, leak.requests(), kills.size(), out, err, bar, interruption);
                out.println();
                out.println("oomsim demo: stopping the agents, then the coordinator, then the broker");
                out.flush();
            }
            out.printf("oomsim demo: done in %.1f s, %d OOM kill(s)%n", (System.nanoTime() - started) / 1e9,
                    kills.size());
            out.flush();
            if (interruption.requested()) {
                return ExitCodes.INTERRUPTED;
            }
        }
        if (kills.isEmpty()) {
            throw new CommandFailure("the OOM killer did not act within " + timeoutSeconds + " s: the machine is"
                    + " slower than expected, try --timeout " + timeoutSeconds * 2);
        }
        return ExitCodes.OK;
    }

    /** Feeds the leak one request at a time and prints each kill as it comes, until enough kills or time is up. */
    private void leak(OomsimCluster cluster, DemoLeak leak, List<KillEvent> kills, PrintWriter out, ProgressBar bar,
                        Interruption interruption) {
        TopicSpec<Integer, KillEvent> killsTopic = cluster.topics().kills();
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        try (ScenarioFeeder feeder = new ScenarioFeeder(cluster.bootstrapServers(), cluster.topics());
             TopicTail tail = new TopicTail(cluster.bootstrapServers(), killsTopic.name(), true)) {
            while (!interruption.requested() && kills.size() < targetKills && leak.leaker() >= 0
                    && System.nanoTime() - deadline < 0) {
                int node = leak.nextNode();
                ProgressEvent outcome = feeder.request(leak.next(), node);
                for (OomCall call : outcome.getOomCalls()) {
                    call.getKilled().forEach(leak::killed);
                }
                if (outcome.getPanic() != null) {
                    break;
                }
                printKills(tail, killsTopic, kills, out, bar, Duration.ZERO);
                bar.show("leaking: " + leak.requests() + " requests, " + kills.size() + "/" + targetKills
                        + " OOM kills", kills.size(), targetKills);
            }
            while (!interruption.requested() && !tail.reachedEnd()) {
                printKills(tail, killsTopic, kills, out, bar, Duration.ofMillis(100));
            }
            // Every agent reports its zones once more, so the coordinator's last views show where the leak left them.
            feeder.snapshots("demo-final", cluster.agentNodes());
        }
    }

    /**
     * Ends with the coordinator's pressure views, read from its compacted {@code pressure} topic once its cluster view
     * has folded every request and kill the demo saw (or {@link #FOLD_TIMEOUT} has passed: then it says so).
     */
    private static void printPressure(OomsimCluster cluster, long requests, int kills, PrintWriter out,
                                      PrintWriter err, ProgressBar bar, Interruption interruption) {
        long deadline = System.nanoTime() + FOLD_TIMEOUT.toNanos();
        try (PressureFeed feed = new PressureFeed(cluster.bootstrapServers(), cluster.topics().pressure(), err,
                "oomsim demo")) {
            while (!interruption.requested() && !folded(feed, requests, kills) && System.nanoTime() - deadline < 0) {
                bar.show("waiting for the coordinator to fold " + requests + " requests", 0, 0);
                feed.poll(Duration.ofMillis(100));
            }
            bar.erase();
            if (!folded(feed, requests, kills)) {
                out.println("oomsim demo: the coordinator had not folded every request within "
                        + FOLD_TIMEOUT.toSeconds() + " s; its views so far:");
            }
            out.println("pressure after " + requests + " requests and " + kills + " kill(s), as the coordinator folds"
                    + " it:");
            out.print(PressureTable.render(feed.views()));
        }
    }

    private static boolean folded(PressureFeed feed, long requests, int kills) {
        return feed.cluster().map(c -> c.getRequests() >= requests && c.getKills() >= kills).orElse(false);
    }

    private static void printKills(TopicTail tail, TopicSpec<Integer, KillEvent> topic, List<KillEvent> kills,
                                   PrintWriter out, ProgressBar bar, Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> r : tail.poll(timeout)) {
            KillEvent kill = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
            if (kill == null) {
                continue;
            }
            kills.add(kill);
            bar.erase();
            out.println("OOM kill " + kills.size() + " (node " + kill.getInvokingNode() + "):");
            out.print(KillReport.dmesg(kill));
            out.println();
            out.flush();
        }
    }

    private static String kafkaVersion() {
        return org.apache.kafka.common.utils.internals.AppInfoParser.getVersion();
    }
}
