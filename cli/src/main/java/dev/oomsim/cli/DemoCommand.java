package dev.oomsim.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.OomCall;
import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.ZoneState;
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
                "kernel's log lines with a line saying why this victim, ends with the pressure table of every node",
                "and the cluster, and shuts everything down (agents, then broker). About 20 s here."},
        footerHeading = "%nExamples:%n",
        footer = {"  oomsim demo",
                "  oomsim demo --kills 2 --quiet",
                "",
                "Exit status: 0 the OOM killer acted (or Ctrl-C), 1 it did not within --timeout or the stack failed,",
                "2 bad usage."})
final class DemoCommand implements Callable<Integer> {

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
                            DemoLeak.NODES), null, null, 0, (short) 1);
            try (OomsimCluster cluster = settings.start(bar, interruption)) {
                if (cluster == null) {
                    return ExitCodes.INTERRUPTED;
                }
                out.println("oomsim demo: Kafka " + kafkaVersion() + " (embedded KRaft broker) on "
                        + cluster.bootstrapServers() + ", " + cluster.agentNodes().size() + " node agents of a "
                        + DemoLeak.NODES + "-node machine (" + DemoLeak.NODE_PAGES + " pages a node)");
                out.println("oomsim demo: watch it from another terminal: oomsim kills --bootstrap "
                        + cluster.bootstrapServers() + " --from-beginning --follow");
                out.println("oomsim demo: leaky-worker allocates GFP_KERNEL order-" + DemoLeak.LEAK_ORDER
                        + " blocks round the nodes until the OOM killer has acted " + targetKills + " time(s)");
                out.println();
                out.flush();
                Totals totals = leak(cluster, leak, kills, out, bar, interruption);
                bar.erase();
                out.println("pressure after " + leak.requests() + " requests and " + kills.size() + " kill(s):");
                out.print(PressureTable.render(totals.views()));
                out.println();
                out.println("oomsim demo: stopping the agents, then the broker");
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
    private Totals leak(OomsimCluster cluster, DemoLeak leak, List<KillEvent> kills, PrintWriter out, ProgressBar bar,
                        Interruption interruption) {
        TopicSpec<Integer, KillEvent> killsTopic = cluster.topics().kills();
        Totals totals = new Totals(DemoLeak.NODES);
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        try (ScenarioFeeder feeder = new ScenarioFeeder(cluster.bootstrapServers(), cluster.topics());
             TopicTail tail = new TopicTail(cluster.bootstrapServers(), killsTopic.name(), true)) {
            while (!interruption.requested() && kills.size() < targetKills && leak.leaker() >= 0
                    && System.nanoTime() - deadline < 0) {
                int node = leak.nextNode();
                ProgressEvent outcome = feeder.request(leak.next(), node);
                totals.count(node, outcome);
                for (OomCall call : outcome.getOomCalls()) {
                    call.getKilled().forEach(leak::killed);
                }
                if (outcome.getPanic() != null) {
                    break;
                }
                printKills(tail, killsTopic, kills, totals, out, bar, Duration.ZERO);
                bar.show("leaking: " + leak.requests() + " requests, " + kills.size() + "/" + targetKills
                        + " OOM kills", kills.size(), targetKills);
            }
            while (!interruption.requested() && !tail.reachedEnd()) {
                printKills(tail, killsTopic, kills, totals, out, bar, Duration.ofMillis(100));
            }
            List<Integer> nodes = cluster.agentNodes();
            totals.snapshots(feeder.snapshots("demo-final", nodes));
        }
        return totals;
    }

    private static void printKills(TopicTail tail, TopicSpec<Integer, KillEvent> topic, List<KillEvent> kills,
                                   Totals totals, PrintWriter out, ProgressBar bar, Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> r : tail.poll(timeout)) {
            KillEvent kill = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
            if (kill == null) {
                continue;
            }
            kills.add(kill);
            totals.killed(kill);
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

    /**
     * What the demo saw, per node: requests sent, failed allocations, {@code __alloc_pages_may_oom} calls, kills (by
     * the node whose request invoked the killer) and the last victim; with the final node snapshots, the pressure views
     * of the table the demo ends with.
     */
    private static final class Totals {
        private final long[] requests;
        private final long[] failed;
        private final long[] mayOom;
        private final long[] killCount;
        private final KillEvent[] lastKill;
        private final List<NodeState> states = new ArrayList<>();

        Totals(int nodes) {
            requests = new long[nodes];
            failed = new long[nodes];
            mayOom = new long[nodes];
            killCount = new long[nodes];
            lastKill = new KillEvent[nodes];
        }

        void count(int node, ProgressEvent outcome) {
            requests[node]++;
            if (outcome.getPage() == null) {
                failed[node]++;
            }
            mayOom[node] += outcome.getMayOomCalls();
        }

        void killed(KillEvent kill) {
            int node = kill.getInvokingNode();
            if (node >= 0 && node < killCount.length) {
                killCount[node]++;
                lastKill[node] = kill;
            }
        }

        void snapshots(List<NodeState> nodes) {
            states.addAll(nodes);
        }

        List<PressureView> views() {
            List<PressureView> views = new ArrayList<>();
            long now = System.currentTimeMillis();
            PressureView.Builder cluster = PressureView.newBuilder().setScope("cluster").setManagedPages(0)
                    .setFreePages(0).setUpdatedAtMs(now);
            KillEvent lastOfAll = null;
            for (NodeState s : states) {
                int n = s.getNode();
                long managed = s.getZones().stream().mapToLong(ZoneState::getManagedPages).sum();
                long free = s.getZones().stream().mapToLong(ZoneState::getFreePages).sum();
                PressureView.Builder v = PressureView.newBuilder().setScope("node-" + n).setManagedPages(managed)
                        .setFreePages(free).setRequests(requests[n]).setFailedAllocations(failed[n])
                        .setMayOomCalls(mayOom[n]).setKills(killCount[n]).setUpdatedAtMs(now);
                if (lastKill[n] != null) {
                    v.setLastVictimPid(lastKill[n].getVictimPid()).setLastVictimComm(lastKill[n].getVictimComm());
                    lastOfAll = lastKill[n];
                }
                views.add(v.build());
                cluster.setManagedPages(cluster.getManagedPages() + managed)
                        .setFreePages(cluster.getFreePages() + free)
                        .setRequests(cluster.getRequests() + requests[n])
                        .setFailedAllocations(cluster.getFailedAllocations() + failed[n])
                        .setMayOomCalls(cluster.getMayOomCalls() + mayOom[n])
                        .setKills(cluster.getKills() + killCount[n]);
            }
            if (lastOfAll != null) {
                cluster.setLastVictimPid(lastOfAll.getVictimPid()).setLastVictimComm(lastOfAll.getVictimComm());
            }
            views.add(cluster.build());
            return views;
        }
    }
}
