package dev.oomsim.bench.live;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.bench.Baseline;
import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchMode;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.bench.Target;
import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.OomsimCluster;
import dev.oomsim.stack.load.LoadProducer;
import dev.oomsim.stack.load.LoadRecord;
import dev.oomsim.stack.load.Pacing;
import dev.oomsim.stack.load.Workload;
import dev.oomsim.stack.load.WorkloadFiles;
import dev.oomsim.stack.load.WorkloadGenerator;
import dev.oomsim.stack.trace.CpuNodeMap;
import dev.oomsim.stack.trace.OutcomeWatch;
import dev.oomsim.stack.trace.TraceFiles;
import dev.oomsim.stack.trace.TraceGfp;
import dev.oomsim.stack.trace.TraceReplay;

/**
 * {@code oomsim load}'s two paths on the run's broker. The workload path: {@link LoadProducer} (the producer
 * {@code load --workload} uses: idempotent, acks=all, linger 5 ms, uncompressed, spawns sent synchronously) unpaced,
 * producing the produce baseline's record count of {@code scenarios/workloads/mixed-gfp-burst.yaml} (seed 1) to a
 * 2-node topic set, from the first record to the flush; target at least 0.7× the broker's own ProducerPerformance. The
 * replay path: the real 6.18 trace ({@code --quick}: its first 12 000 lines) replayed as {@code load --replay
 * --speed max --max-in-flight 256} does into two real agents of a roomy 2-node machine, from the first record to the
 * last answer; requests answered a second, no target (the agents, not the producer, set the pace: every free waits
 * for its allocation's answer).
 */
public final class LoadProduceBenchmark implements LiveBenchmark {

    static final String WORKLOAD = "scenarios/workloads/mixed-gfp-burst.yaml";
    static final String TRACE = "traces/kmem-python-gzip-2cpu.trace.gz";
    private static final int QUICK_TRACE_LINES = 12_000;

    @Override
    public String name() {
        return "load produce";
    }

    @Override
    public List<BenchRow> run(BenchContext context) throws Exception {
        List<BenchRow> rows = new ArrayList<>();
        rows.add(workload(context));
        rows.add(replay(context));
        return rows;
    }

    private static BenchRow workload(BenchContext context) {
        Topics topics = new Topics("oomsim-bench-load-" + UUID.randomUUID().toString().substring(0, 8) + ".", 2);
        new TopicEnsurer(context.admin(), (short) 1).ensure(List.of(topics.taskEvents(), topics.allocRequests()));
        Workload w = WorkloadFiles.read(repositoryFile(WORKLOAD));
        long count = context.settings().produceRecords();
        context.progress().step("load produce: " + count + " records of " + w.name() + " through LoadProducer");
        LoadProducer.Result r;
        try (LoadProducer producer = new LoadProducer(context.bootstrapServers(), topics)) {
            r = producer.run(limit(new WorkloadGenerator(w, 1, Duration.ofDays(365).toNanos()), count),
                    new Pacing.Unpaced(), System::nanoTime, () -> false, n -> { });
        }
        return BenchRow.against("load --workload produce, " + w.name() + " (LoadProducer)", r.rate(), "rec/s",
                context.baselines(), Baseline.PRODUCE_THROUGHPUT, Target.atLeastTimesBaseline(0.7));
    }

    private static BenchRow replay(BenchContext context) throws IOException {
        Topics topics = new Topics("oomsim-bench-replay-" + UUID.randomUUID().toString().substring(0, 8) + ".", 2);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = TraceFiles.open(repositoryFile(TRACE))) {
            r.lines().forEach(lines::add);
        }
        if (context.settings().mode() == BenchMode.QUICK) {
            lines = lines.subList(0, Math.min(lines.size(), QUICK_TRACE_LINES));
        }
        context.progress().step("load replay: " + lines.size() + " trace lines into 2 agents");
        double perSecond;
        long requests;
        try (OomsimCluster cluster = OomsimCluster.builder(roomyTwoNodes()).bootstrapServers(
                context.bootstrapServers()).topics(topics).pollTimeout(Duration.ofMillis(20)).start();
                OutcomeWatch outcomes = new OutcomeWatch(cluster.bootstrapServers(), topics, "replay-1-",
                        Duration.ofSeconds(60), () -> false);
                LoadProducer producer = new LoadProducer(cluster.bootstrapServers(), topics)) {
            TraceReplay replay = new TraceReplay(new BufferedReader(new StringReader(String.join("\n", lines))),
                    new TraceGfp(Profile.MODERN, Arch.X86_64), CpuNodeMap.parse("0:0,1:1"), 1, outcomes, 256);
            long start = System.nanoTime();
            LoadProducer.Result r = producer.run(replay, new Pacing.Unpaced(), System::nanoTime, () -> false,
                    n -> { });
            requests = r.requests();
            if (!outcomes.awaitAnswered(requests)) {
                throw new IllegalStateException("the replay was stopped");
            }
            perSecond = requests / ((System.nanoTime() - start) / 1e9);
            if (outcomes.deadLettered() > 0) {
                throw new IllegalStateException("the replay's requests were dead-lettered: "
                        + outcomes.deadLetterReasons());
            }
        }
        return BenchRow.info(String.format(Locale.ROOT, "load --replay end to end, real 6.18 trace (%d requests) into"
                + " 2 agents, answered", requests), perSecond, "req/s");
    }

    /** Two nodes of 256 MiB, room for the trace's peak: no OOM, every free finds its block. */
    private static Scenario roomyTwoNodes() throws IOException {
        String json = """
                {"profile": "modern", "sysctl": {"min_free_kbytes": 1024},
                 "nodes": [{"id": 0, "zones": [{"type": "NORMAL", "managed_pages": 65536, "free_pages": 60000}]},
                           {"id": 1, "zones": [{"type": "NORMAL", "managed_pages": 65536, "free_pages": 60000}]}],
                 "tasks": [{"pid": 1, "comm": "init", "flags": ["global_init"], "rss": {"0": {"anon": 100}}}],
                 "events": []}
                """;
        return ScenarioParser.parse(new ObjectMapper().readValue(json, Map.class));
    }

    /** The first {@code count} records of {@code records}. */
    private static Iterator<LoadRecord> limit(Iterator<LoadRecord> records, long count) {
        return new Iterator<>() {
            private long left = count;

            @Override
            public boolean hasNext() {
                return left > 0 && records.hasNext();
            }

            @Override
            public LoadRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                left--;
                return records.next();
            }
        };
    }

    /** A file of the repository, from its root or from a module directory one level below it. */
    static Path repositoryFile(String relative) {
        Path p = Path.of(relative);
        if (!Files.exists(p)) {
            p = Path.of("..").resolve(relative);
        }
        if (!Files.exists(p)) {
            throw new IllegalStateException("no " + relative + " under " + Path.of("").toAbsolutePath()
                    + " or its parent: run the bench from the repository root");
        }
        return p;
    }
}
