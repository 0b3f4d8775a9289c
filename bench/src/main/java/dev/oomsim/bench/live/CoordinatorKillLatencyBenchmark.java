package dev.oomsim.bench.live;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.bench.Baseline;
import dev.oomsim.bench.BaselineRef;
import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.LatencySummary;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.bench.SampleEvents;
import dev.oomsim.bench.Target;
import dev.oomsim.bench.coordinator.CoordinatorBench;
import dev.oomsim.coordinator.CoordinatorService;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * How soon a kill the agents publish shows in the coordinator's {@code /api/kills}: a {@code KillEvent} produced on
 * {@code kills} (synchronously, the round-trip baseline's producer settings), then {@code /api/kills?since=<its
 * timestamp>} asked back to back over HTTP until the kill is listed. One kill at a time against a running
 * {@link CoordinatorService} (its default 100 ms commit interval). On its way the kill is decoded, re-keyed into the
 * {@code cluster-kills} repartition topic in one exactly-once transaction, which commits at the commit interval, and
 * read back read_committed by the cluster fold, which writes {@code recent-kills}: at most one commit interval
 * waiting, and a few broker round trips (the produce, the commit, the repartition fetch). Target: p99 within the
 * commit interval + 3 × broker RTT p99 of the same run.
 */
public final class CoordinatorKillLatencyBenchmark implements LiveBenchmark {

    static final int WARMUP = 10;
    static final Target TARGET = Target.atMostTimesBaseline(1);
    private static final Duration PER_KILL_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int fixedSamples;

    public CoordinatorKillLatencyBenchmark() {
        this(0);
    }

    /** With a fixed number of samples (tests take a few). */
    CoordinatorKillLatencyBenchmark(int fixedSamples) {
        this.fixedSamples = fixedSamples;
    }

    @Override
    public String name() {
        return "coordinator kill visibility";
    }

    /** Samples: the run's round trips / 5, 100 to 1 000 (quick 100: each waits up to a commit interval). */
    static int samples(int rttRecords) {
        return Math.max(100, Math.min(1_000, rttRecords / 5));
    }

    /** The yardstick: one commit interval, in which the kill may wait, plus three broker round trips (p99). */
    static double budgetMs(Duration commitInterval, double rttP99Ms) {
        return commitInterval.toMillis() + 3 * rttP99Ms;
    }

    @Override
    public List<BenchRow> run(BenchContext context) throws Exception {
        int samples = fixedSamples > 0 ? fixedSamples : samples(context.settings().rttRecords());
        Topics topics = new Topics("oomsim-bench-" + UUID.randomUUID().toString().substring(0, 8) + ".", 1);
        new TopicEnsurer(context.admin(), (short) 1).ensure(topics.all());
        Path dir = Files.createTempDirectory("oomsim-bench-coordinator-kills");
        Duration commit = CoordinatorBench.COMMIT_INTERVAL;
        CoordinatorService.Spec spec = new CoordinatorService.Spec(context.bootstrapServers(),
                CoordinatorBench.config(topics, topics.prefix() + "coordinator"), "127.0.0.1", 0, dir, commit);
        context.progress().step("coordinator kill visibility: " + samples + " kills one at a time (+" + WARMUP
                + " warm-up), each awaited in /api/kills");
        long[] nanos = new long[samples];
        long polls = 0;
        try (CoordinatorService coordinator = new CoordinatorService(spec).start();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(context.bootstrapServers()))) {
            CoordinatorFoldBenchmark.awaitTrue(coordinator::isReady, Duration.ofSeconds(60),
                    "the coordinator to be RUNNING");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI base = coordinator.httpUri();
            TopicSpec<Integer, KillEvent> kills = topics.kills();
            for (int i = -WARMUP; i < samples; i++) {
                int seq = i + WARMUP;
                KillEvent kill = KillEvent.newBuilder(SampleEvents.killEvent()).setRequestId("visible-" + seq)
                        .setVictimPid(10_000 + seq).setInvokingNode(0).build();
                long ts = System.currentTimeMillis();
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(kills.name(), 0, ts,
                        kills.keySerde().serializer().serialize(kills.name(), kill.getVictimPid()),
                        kills.valueSerde().serializer().serialize(kills.name(), kill));
                URI query = base.resolve("api/kills?limit=10&since=" + ts);
                long start = System.nanoTime();
                send(producer, record);
                while (!listed(http, query, kill.getRequestId())) {
                    polls++;
                    if (System.nanoTime() - start > PER_KILL_TIMEOUT.toNanos()) {
                        throw new IllegalStateException("kill " + kill.getRequestId() + " not in /api/kills within "
                                + PER_KILL_TIMEOUT.toSeconds() + " s");
                    }
                }
                long elapsed = System.nanoTime() - start;
                if (i >= 0) {
                    nanos[i] = elapsed;
                }
            }
        } finally {
            CoordinatorBench.deleteTree(dir);
        }
        LatencySummary s = LatencySummary.ofNanos(nanos);
        context.progress().step(String.format(Locale.ROOT, "coordinator kill visibility: p50 %.1f ms, p99 %.1f ms, "
                + "%,d polls", s.p50Ms(), s.p99Ms(), polls));
        double rttP99 = context.baselines().value(Baseline.RTT_P99);
        BaselineRef budget = BaselineRef.measured(String.format(Locale.ROOT, "commit interval (%d ms) + 3× broker "
                + "RTT p99", commit.toMillis()), "ms", budgetMs(commit, rttP99));
        String what = "kill produced on kills → listed in /api/kills, coordinator (" + samples + " kills)";
        return List.of(
                BenchRow.against(what + " p50", s.p50Ms(), "ms", budget, Target.none()),
                BenchRow.against(what + " p99", s.p99Ms(), "ms", budget, TARGET),
                BenchRow.against(what + " p99 (vs RTT p99)", s.p99Ms(), "ms", context.baselines(), Baseline.RTT_P99,
                        Target.none()));
    }

    private static boolean listed(HttpClient http, URI query, String requestId) throws IOException,
            InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(query).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + query + " answered " + r.statusCode() + ": " + r.body());
        }
        for (JsonNode k : JSON.readTree(r.body()).path("kills")) {
            if (requestId.equals(k.path("requestId").asText())) {
                return true;
            }
        }
        return false;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record)
            throws InterruptedException {
        try {
            producer.send(record).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("producing a kill failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static Map<String, Object> producerProps(String bootstrapServers) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "oomsim-bench-coordinator-kill");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }
}
