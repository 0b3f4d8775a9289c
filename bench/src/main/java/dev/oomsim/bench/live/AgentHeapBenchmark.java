package dev.oomsim.bench.live;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.bench.Target;
import dev.oomsim.bench.agent.AgentHeapProbe;
import dev.oomsim.bench.agent.AgentMachines;
import dev.oomsim.bench.agent.AllocationMix;
import dev.oomsim.bench.agent.CommandFeed;
import dev.oomsim.bench.agent.OutputWatch;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;

/**
 * Java heap of a node agent simulating a 64 GiB node, measured in the agent's own JVM (the {@code NodeAgent} service
 * under {@link AgentHeapProbe}, {@value #CHILD_XMX}): the heap in use after full collections once the agent is live,
 * and again after it served an {@link AllocationMix} that leaves thousands of blocks held. Everything the service
 * keeps counts: the kernel model, the Kafka clients and their buffers, metrics, the JVM's own classes' heap share.
 * Target: under 128 MiB in both states.
 */
public final class AgentHeapBenchmark implements LiveBenchmark {

    static final String CHILD_XMX = "-Xmx512m";
    static final Target TARGET = Target.atMost(128);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String ID_PREFIX = "heap-";

    @Override
    public String name() {
        return "node agent heap";
    }

    /**
     * The load: the run's produce count / 40 requests (quick 2 500, full 25 000; an agent serves about a thousand a
     * second on a loaded 2-core machine), leaving 40–80 % of them held.
     */
    static AllocationMix.Plan plan(long produceRecords) {
        int requests = (int) Math.max(200, produceRecords / 40);
        return new AllocationMix.Plan(requests, requests * 2 / 5, requests * 4 / 5, 6_400_000_000L);
    }

    @Override
    public List<BenchRow> run(BenchContext context) throws Exception {
        Topics topics = new Topics("oomsim-bench-" + UUID.randomUUID().toString().substring(0, 8) + ".", 1);
        new TopicEnsurer(context.admin(), (short) 1).ensure(topics.all());
        Scenario machine = AgentMachines.parse(AgentMachines.throughput(1));
        AllocationMix.Mix mix = AllocationMix.generate(machine, 0, plan(context.settings().produceRecords()),
                ID_PREFIX);

        Path dir = Files.createTempDirectory("oomsim-agent-heap");
        Path machineFile = Files.writeString(dir.resolve("machine.json"),
                AgentMachines.json(AgentMachines.throughput(1)));
        Properties settings = new Properties();
        settings.setProperty("node.id", "0");
        settings.setProperty("nodes", "1");
        settings.setProperty("bootstrap.servers", context.bootstrapServers());
        settings.setProperty("topic.prefix", topics.prefix());
        settings.setProperty("machine.file", machineFile.toString());
        settings.setProperty("metrics.port", "0");
        Path settingsFile = dir.resolve("agent.properties");
        try (Writer w = Files.newBufferedWriter(settingsFile)) {
            settings.store(w, "node agent of the heap benchmark");
        }
        context.progress().step("agent heap: a node agent service in its own JVM (" + CHILD_XMX + "), then "
                + mix.size() + " requests");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                CHILD_XMX,
                "-Dlogback.configurationFile=oomsim-bench-logback.xml",
                "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"),
                AgentHeapProbe.class.getName(), settingsFile.toString())
                .redirectError(dir.resolve("agent.log").toFile())
                .start();
        try {
            BlockingQueue<String> lines = ProbeChannel.readLines(child, "oomsim-bench-heap-probe-stdout");
            Writer commands = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
            ProbeChannel probe = new ProbeChannel(child, lines, commands, "the agent's JVM", dir.resolve("agent.log"),
                    TIMEOUT);
            probe.await(AgentHeapProbe.LIVE);
            double booted = probe.heapMib();
            context.progress()
                    .step(String.format(Locale.ROOT, "agent heap: live, %.1f MiB; serving %,d requests", booted,
                    mix.size()));

            try (OutputWatch watch = new OutputWatch(context.bootstrapServers(), topics.progress().name(),
                    topics.deadLetter().name(), mix.size())) {
                CommandFeed.produce(context.bootstrapServers(), topics, CommandFeed.encode(topics, List.of(mix)));
                watch.awaitMark(0, TIMEOUT);
            }
            double loaded = probe.heapMib();
            context.progress().step(String.format(Locale.ROOT, "agent heap: served, %.1f MiB", loaded));
            commands.write("stop\n");
            commands.flush();
            child.waitFor(10, TimeUnit.SECONDS);
            deleteRecursively(dir);
            String load = String.format(Locale.ROOT, "after %,d ALLOC/FREE requests, %,d blocks held", mix.size(),
                    mix.heldAtEnd());
            return List.of(
                    BenchRow.of("node agent heap, 64 GiB node, live (own JVM, after full GC)", booted, "MiB", TARGET),
                    BenchRow.of("node agent heap, 64 GiB node, " + load + " (own JVM, after full GC)", loaded, "MiB",
                            TARGET));
        } finally {
            child.destroyForcibly();
        }
    }

    /** The run's files (machine, settings, the agent's log and temp files); kept when the run fails. */
    private static void deleteRecursively(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
