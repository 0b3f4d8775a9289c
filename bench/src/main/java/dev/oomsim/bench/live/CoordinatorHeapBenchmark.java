package dev.oomsim.bench.live;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.bench.Target;
import dev.oomsim.bench.coordinator.CoordinatorBench;
import dev.oomsim.bench.coordinator.CoordinatorHeapProbe;
import dev.oomsim.bench.coordinator.CoordinatorMix;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;

/**
 * Java heap of the coordinator of a 64-node cluster running 10 000 tasks, measured in the coordinator's own JVM (the
 * {@code CoordinatorService} under {@link CoordinatorHeapProbe}, {@value #CHILD_XMX}): once RUNNING, and after it
 * folded a {@link CoordinatorMix} in which every node reported snapshots with its share of the tasks, outcomes and
 * kills (its {@code /api/pressure} shows them all), after full collections. Everything the service keeps on the heap
 * counts: Streams and its clients' buffers, the record caches, the HTTP server, the meters. The state stores are
 * RocksDB, off the Java heap, and not counted. Target: under 256 MiB in both states.
 */
public final class CoordinatorHeapBenchmark implements LiveBenchmark {

    static final String CHILD_XMX = "-Xmx768m";
    static final Target TARGET = Target.atMost(256);
    static final int NODES = 64;
    static final int TASKS = 10_000;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "coordinator heap";
    }

    /** Events folded: the run's produce count / 10 (quick 10 000, full 100 000), 64 final snapshots on top. */
    static int events(long produceRecords) {
        return (int) Math.max(1_000, Math.min(500_000, produceRecords / 10));
    }

    @Override
    public List<BenchRow> run(BenchContext context) throws Exception {
        Topics topics = new Topics("oomsim-bench-" + UUID.randomUUID().toString().substring(0, 8) + ".", NODES);
        new TopicEnsurer(context.admin(), (short) 1).ensure(topics.all());
        CoordinatorMix mix = CoordinatorMix.generate(topics, NODES, TASKS, events(context.settings()
                .produceRecords()), System.currentTimeMillis() - 600_000, 7);
        Path dir = Files.createTempDirectory("oomsim-coordinator-heap");
        context.progress().step("coordinator heap: a coordinator service in its own JVM (" + CHILD_XMX + "), then "
                + String.format(Locale.ROOT, "%,d events of %d nodes, %,d tasks", mix.size(), NODES, TASKS));
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                CHILD_XMX, "-Dlogback.configurationFile=oomsim-bench-logback.xml", "-Djava.io.tmpdir=" + dir,
                "-cp", System.getProperty("java.class.path"), CoordinatorHeapProbe.class.getName(),
                context.bootstrapServers(), topics.prefix(), Integer.toString(NODES),
                dir.resolve("state").toString())
                .redirectError(dir.resolve("coordinator.log").toFile())
                .start();
        try {
            BlockingQueue<String> lines = ProbeChannel.readLines(child, "oomsim-bench-coordinator-probe-stdout");
            Writer commands = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
            ProbeChannel probe = new ProbeChannel(child, lines, commands, "the coordinator's JVM",
                    dir.resolve("coordinator.log"), TIMEOUT);
            String live = probe.await(CoordinatorHeapProbe.LIVE);
            URI pressure = URI.create("http://127.0.0.1:" + live.substring(CoordinatorHeapProbe.LIVE.length()).trim()
                    + "/api/pressure");
            double booted = probe.heapMib();
            context.progress().step(String.format(Locale.ROOT, "coordinator heap: live, %.1f MiB; folding %,d "
                    + "events", booted, mix.size()));
            CoordinatorBench.produce(context.bootstrapServers(), mix.records());
            HttpClient http = HttpClient.newHttpClient();
            CoordinatorFoldBenchmark.awaitTrue(() -> shows(http, pressure, mix), TIMEOUT,
                    "the coordinator's /api/pressure to show the whole mix");
            double loaded = probe.heapMib();
            context.progress().step(String.format(Locale.ROOT, "coordinator heap: folded, %.1f MiB", loaded));
            commands.write("stop\n");
            commands.flush();
            child.waitFor(20, TimeUnit.SECONDS);
            CoordinatorBench.deleteTree(dir);
            String cluster = String.format(Locale.ROOT, "%d nodes, %,d tasks", NODES, TASKS);
            return List.of(
                    BenchRow.of("coordinator heap, " + cluster + ", live (own JVM, after full GC)", booted, "MiB",
                            TARGET),
                    BenchRow.of(String.format(Locale.ROOT, "coordinator heap, %s, after folding %,d events (own JVM, "
                            + "after full GC)", cluster, mix.size()), loaded, "MiB", TARGET));
        } finally {
            child.destroyForcibly();
        }
    }

    /** Whether {@code /api/pressure} shows every node and the mix's requests and kills. */
    private static boolean shows(HttpClient http, URI pressure, CoordinatorMix mix) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(pressure).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return false;
            }
            JsonNode body = JSON.readTree(r.body());
            return body.path("nodes").size() == NODES
                    && body.path("cluster").path("requests").asLong() == mix.progress()
                    && body.path("cluster").path("kills").asLong() == mix.kills();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted asking " + pressure, e);
        }
    }
}
