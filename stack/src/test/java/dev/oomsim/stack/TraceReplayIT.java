package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.ZoneState;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.load.LoadProducer;
import dev.oomsim.stack.load.Pacing;
import dev.oomsim.stack.trace.CpuNodeMap;
import dev.oomsim.stack.trace.OutcomeWatch;
import dev.oomsim.stack.trace.TraceFiles;
import dev.oomsim.stack.trace.TraceGfp;
import dev.oomsim.stack.trace.TraceReplay;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code oomsim load --replay}: the real 6.18 trace replayed into a running two-node stack, CPU 0 on node 0 and CPU 1
 * on node 1. Every request gets one answer, every free of the trace finds the model's block, and the free pages end
 * where the trace's unfreed allocations leave them.
 */
class TraceReplayIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Path TRACE = Path.of("..", "traces", "kmem-python-gzip-2cpu.trace.gz");
    private static final Scenario MACHINE = ScenarioFiles.read(Path.of("src", "test", "resources",
            "replay-2-nodes-machine.yaml"));
    private static final Pattern EVENT = Pattern.compile("(mm_page_alloc|mm_page_free): .*pfn=0x([0-9a-f]+)"
            + " order=(\\d+)");

    /** The trace counted the plain way: allocation lines, free lines, and frees of a page allocated in the trace. */
    private record Counts(long allocs, long frees, long matchedFrees, long pagesLeftAllocated) {
    }

    private static Counts countTrace() throws IOException {
        long allocs = 0;
        long frees = 0;
        long matched = 0;
        Map<Long, Integer> live = new HashMap<>();
        try (BufferedReader r = TraceFiles.open(TRACE)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                Matcher m = EVENT.matcher(line);
                if (!m.find()) {
                    continue;
                }
                long pfn = Long.parseLong(m.group(2), 16);
                int order = Integer.parseInt(m.group(3));
                if (m.group(1).equals("mm_page_alloc")) {
                    allocs++;
                    live.put(pfn, order);
                } else {
                    frees++;
                    if (live.remove(pfn) != null) {
                        matched++;
                    }
                }
            }
        }
        return new Counts(allocs, frees, matched, live.values().stream().mapToLong(o -> 1L << o).sum());
    }

    @Test
    void theRealTraceIntoTwoNodesAnswersEveryRequestOnceAndGivesFreedPagesBack() throws IOException {
        Counts trace = countTrace();
        Topics topics = new Topics(KAFKA.uniqueTopic("replay") + ".", 2);
        try (OomsimCluster cluster = OomsimCluster.builder(MACHINE).bootstrapServers(KAFKA.bootstrapServers())
                .topics(topics).pollTimeout(Duration.ofMillis(20)).start()) {
            long freeBefore = freePages(cluster, "before");
            TraceReplay replay;
            LoadProducer.Result produced;
            try (OutcomeWatch outcomes = new OutcomeWatch(cluster.bootstrapServers(), topics, "replay-7-",
                    Duration.ofSeconds(60), () -> false);
                    BufferedReader in = TraceFiles.open(TRACE);
                    LoadProducer producer = new LoadProducer(cluster.bootstrapServers(), topics)) {
                replay = new TraceReplay(in, new TraceGfp(Profile.MODERN, Arch.X86_64), CpuNodeMap.parse("0:0,1:1"),
                        7, outcomes, 256);
                produced = producer.run(replay, new Pacing.Unpaced(), System::nanoTime, () -> false, n -> { });
                long requests = produced.requests();
                await().atMost(Duration.ofSeconds(120)).until(() -> outcomes.answered() >= requests);
                assertThat(outcomes.deadLettered()).as("%s", outcomes.deadLetterReasons()).isZero();
            }

            assertThat(replay.allocations()).isEqualTo(trace.allocs());
            assertThat(replay.frees()).isEqualTo(trace.matchedFrees());
            assertThat(replay.freesOfUnseenPages().count()).isEqualTo(trace.frees() - trace.matchedFrees())
                    .isPositive();
            assertThat(replay.freesOfUnseenPages().lines()).isNotEmpty();
            assertThat(replay.freesNotGranted().count()).isZero();
            assertThat(replay.summary().unparsableCount()).isZero();
            assertThat(produced.requests()).isEqualTo(trace.allocs() + trace.matchedFrees());
            assertThat(produced.taskEvents()).isEqualTo(replay.tasks()).isGreaterThan(10);

            Map<String, Integer> answers = answersByRequest(topics);
            assertThat(answers).hasSize((int) produced.requests());
            assertThat(answers.values()).allMatch(n -> n == 1);
            assertThat(freePages(cluster, "after")).isEqualTo(freeBefore - trace.pagesLeftAllocated());
        }
    }

    @Test
    void atSpeedTwoEachRecordGoesOutAtHalfItsTraceTime() throws IOException {
        Topics topics = new Topics(KAFKA.uniqueTopic("speed") + ".", 2);
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
        StringBuilder trace = new StringBuilder("# tracer: nop\n");
        for (int i = 0; i < 6; i++) {
            trace.append(String.format(java.util.Locale.ROOT, "  bash-300  [001] .....  %d.%06d: mm_page_alloc: page=0"
                    + " pfn=0x%x order=0 migratetype=0 gfp_flags=GFP_KERNEL%n", 100 + i / 5, (i % 5) * 200_000,
                    0x1000 + i));
        }
        try (OutcomeWatch outcomes = new OutcomeWatch(KAFKA.bootstrapServers(), topics, "replay-3-",
                Duration.ofSeconds(60), () -> false);
                LoadProducer producer = new LoadProducer(KAFKA.bootstrapServers(), topics)) {
            TraceReplay replay = new TraceReplay(new BufferedReader(new java.io.StringReader(trace.toString())),
                    new TraceGfp(Profile.MODERN, Arch.X86_64), CpuNodeMap.parse("0:0,1:1"), 3, outcomes, 100);
            producer.run(replay, new Pacing.Timestamps(2), System::nanoTime, () -> false, n -> { });
        }

        List<ConsumerRecord<byte[], byte[]>> sent = KAFKA.readAll(topics.allocRequests().name());
        assertThat(sent).hasSize(6);
        long first = sent.get(0).timestamp();
        List<Long> times = sent.stream().map(ConsumerRecord::timestamp).toList();
        for (int i = 1; i < sent.size(); i++) {
            // Line i + 2 is at i * 200 ms of trace time: at speed 2, 100 ms of wall time per line from the first,
            // never earlier (20 ms for the first record's own send after the schedule started).
            assertThat(times.get(i) - first).as("record %d of %s", i, times).isGreaterThanOrEqualTo(i * 100L - 20);
        }
    }

    /** How many answers (outcomes on progress, dead letters) each replayed request got. */
    private static Map<String, Integer> answersByRequest(Topics topics) {
        Map<String, Integer> n = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(topics.progress().name())) {
            ProgressEvent p = topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value());
            if (p.getRequestId().startsWith("replay-")) {
                n.merge(p.getRequestId(), 1, Integer::sum);
            }
        }
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(topics.deadLetter().name())) {
            DeadLetter d = topics.deadLetter().valueSerde().deserializer().deserialize(r.topic(), r.value());
            if (d.getSourceTopic().equals(topics.allocRequests().name())) {
                byte[] bytes = new byte[d.getValue().remaining()];
                d.getValue().duplicate().get(bytes);
                NodeCommand c = topics.allocRequests().valueSerde().deserializer().deserialize(r.topic(), bytes);
                n.merge(c.getCommandId(), 1, Integer::sum);
            }
        }
        return n;
    }

    /** Free pages of both nodes, from a snapshot each agent takes after every request before it. */
    private static long freePages(OomsimCluster cluster, String name) {
        try (ScenarioFeeder feeder = new ScenarioFeeder(cluster.bootstrapServers(), cluster.topics())) {
            long free = 0;
            for (NodeState s : feeder.snapshots(name, List.of(0, 1))) {
                for (ZoneState z : s.getZones()) {
                    free += z.getFreePages();
                }
            }
            return free;
        }
    }

}
