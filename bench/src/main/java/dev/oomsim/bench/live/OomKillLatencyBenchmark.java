package dev.oomsim.bench.live;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.oomsim.bench.Baseline;
import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.LatencySummary;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.bench.Target;
import dev.oomsim.bench.agent.AgentMachines;
import dev.oomsim.bench.agent.AllocationMix;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.OomsimCluster;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * How long an OOM kill takes to become visible: from producing a request that makes the node agent invoke the OOM
 * killer to the kill being readable downstream (read_committed), one request at a time, beside the broker's own
 * round trip of the same run. The clients are the round-trip baseline's (producer linger 0 with a synchronous send,
 * consumer with {@code fetch.max.wait.ms=0} assigned to the partitions), so the ratio is the agent's cost in round
 * trips: the request in, the cluster {@code oom_lock} claim, the kill, and the one transaction that journals the grant
 * and makes the kill visible.
 *
 * <p>The machine ({@link AgentMachines#oomVictims}) is out of memory with many equal victims; every request is a
 * {@code may_oom} of the unkillable trigger task, so each kills exactly one victim (checked: one {@code KillEvent} per
 * request, a victim never killed before), which exits before the next. The kill is seen on {@code kills}, where the
 * agent publishes its {@code KillEvent} in the transaction of the request's outcome.
 */
public final class OomKillLatencyBenchmark implements LiveBenchmark {

    static final int WARMUP = 10;
    /** p50 and p99 each within 1.3× of the exactly-once floor at the same percentile. */
    static final Target TARGET = Target.atMostTimesBaseline(1.3);
    private static final Duration PER_REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** Samples a run takes, 0: from the run's settings. */
    private final int fixedSamples;

    public OomKillLatencyBenchmark() {
        this(0);
    }

    /** With a fixed number of samples (tests take fewer than the 200 a percentile row needs). */
    OomKillLatencyBenchmark(int fixedSamples) {
        this.fixedSamples = fixedSamples;
    }

    @Override
    public String name() {
        return "node agent OOM kill latency";
    }

    /** Samples: the run's round trips / 10, at least 200, at most 1 000 (quick 200, full 1 000). */
    static int samples(int rttRecords) {
        return Math.max(200, Math.min(1_000, rttRecords / 10));
    }

    @Override
    public List<BenchRow> run(BenchContext context) throws Exception {
        int samples = fixedSamples > 0 ? fixedSamples : samples(context.settings().rttRecords());
        Scenario machine = AgentMachines.parse(AgentMachines.oomVictims(WARMUP + samples + 10));
        Topics topics = new Topics("oomsim-bench-" + UUID.randomUUID().toString().substring(0, 8) + ".", 1);
        new TopicEnsurer(context.admin(), (short) 1).ensure(topics.all());
        context.progress().step("OOM kill latency: " + samples + " may_oom requests one at a time (+" + WARMUP
                + " warm-up), each killing one of " + machine.tasks().size() + " tasks");
        long[] nanos = new long[samples];
        MeterRegistry meters = new SimpleMeterRegistry();
        // Percentiles of the agent's own timers, to show where the time goes inside the agent.
        meters.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return DistributionStatisticConfig.builder().percentiles(0.5, 0.99).build().merge(config);
            }
        });
        try (OomsimCluster agents = OomsimCluster.builder(machine).bootstrapServers(context.bootstrapServers())
                     .topics(topics).ensureTopics(false).agents(List.of(0)).meterRegistry(meters).start();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(context.bootstrapServers()));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(context.bootstrapServers()))) {
            TopicSpec<Integer, KillEvent> visible = topics.kills();
            List<TopicPartition> parts = consumer.partitionsFor(visible.name()).stream()
                    .map(pi -> new TopicPartition(visible.name(), pi.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
            Set<Integer> killed = new HashSet<>();
            Set<String> requests = new HashSet<>();
            for (int i = -WARMUP; i < samples; i++) {
                int seq = i + WARMUP;
                String id = "oom-" + seq;
                byte[] value = topics.allocRequests().valueSerde().serializer().serialize(topics.allocRequests().name(),
                        trigger(id, seq));
                long start = System.nanoTime();
                send(producer, topics, value);
                KillEvent kill = awaitKill(consumer, visible, id, start, requests, killed);
                long elapsed = System.nanoTime() - start;
                if (kill.getInvokingPid() != AgentMachines.TRIGGER_PID) {
                    throw new IllegalStateException("kill " + kill + " names another invoking task than the trigger");
                }
                if (i >= 0) {
                    nanos[i] = elapsed;
                }
            }
        }
        LatencySummary s = LatencySummary.ofNanos(nanos);
        String what = "OOM trigger → KillEvent visible on kills, 1 agent (" + samples + " may_oom requests)";
        // The yardstick is the same guarantee's floor measured in this run: one exactly-once consume→produce round trip
        // (the request in, the kill out with the request's offset) plus one broker round trip (the trylock).
        List<BenchRow> rows = new ArrayList<>(List.of(
                BenchRow.against(what + " p50", s.p50Ms(), "ms", context.baselines(), Baseline.EOS_KILL_FLOOR_P50,
                        TARGET),
                BenchRow.against(what + " p99", s.p99Ms(), "ms", context.baselines(), Baseline.EOS_KILL_FLOOR_P99,
                        TARGET),
                BenchRow.against(what + " p50 (vs RTT p50)", s.p50Ms(), "ms", context.baselines(), Baseline.RTT_P50,
                        Target.none()),
                BenchRow.against(what + " p99 (vs RTT p99)", s.p99Ms(), "ms", context.baselines(), Baseline.RTT_P99,
                        Target.none())));
        // Inside that latency (warm-up included): the cluster oom_lock trylock and the agent's transaction commit.
        rows.addAll(phase(meters.find("oomsim.lock.trylock").tag("outcome", "acquired").timer(),
                "cluster oom_lock trylock (acquired)", context));
        rows.addAll(phase(meters.find("oomsim.agent.transaction.commit").timer(),
                "agent transaction commit (offsets + EndTxn)", context));
        rows.addAll(phase(meters.find("oomsim.agent.request.duration").timer(),
                "the request in the agent (its start to its outcome, trylock included)", context));
        double refused = meters.find("oomsim.lock.trylock").timers().stream()
                .filter(t -> !"acquired".equals(t.getId().getTag("outcome"))).mapToDouble(Timer::count).sum();
        rows.add(BenchRow.info("OOM kill latency, inside: cluster oom_lock trylocks refused (each a retry later)",
                refused,
                "trylocks"));
        return rows;
    }

    /** Two rows (p50 and p99 against the broker's RTT) for one of the agent's timers, none when it never ran. */
    private static List<BenchRow> phase(Timer timer, String what, BenchContext context) {
        if (timer == null || timer.count() == 0) {
            return List.of();
        }
        double p50 = 0;
        double p99 = 0;
        for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
            if (v.percentile() == 0.5) {
                p50 = v.value(TimeUnit.MILLISECONDS);
            } else if (v.percentile() == 0.99) {
                p99 = v.value(TimeUnit.MILLISECONDS);
            }
        }
        String name = "OOM kill latency, inside: " + what;
        return List.of(
                BenchRow.against(name + " p50", p50, "ms", context.baselines(), Baseline.RTT_P50, Target.none()),
                BenchRow.against(name + " p99", p99, "ms", context.baselines(), Baseline.RTT_P99, Target.none()));
    }

    /** A {@code may_oom} of the trigger task: GFP_KERNEL, order 0, on node 0. */
    static NodeCommand trigger(String id, int sequence) {
        return NodeCommand.newBuilder().setCommandId(id).setOrigin(-1).setTaskEventsOffset(0)
                .setBody(AllocRequest.newBuilder().setRequestId(id).setOp(AllocOp.MAY_OOM)
                        .setPid(AgentMachines.TRIGGER_PID)
                        .setGfpMask(AllocationMix.GFP_KERNEL).setOrder(0).setPreferredNode(0)
                        .setSequence((long) sequence)
                        .build())
                .build();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Topics topics,
            byte[] value) throws InterruptedException {
        TopicSpec<Integer, NodeCommand> spec = topics.allocRequests();
        try {
            producer.send(new ProducerRecord<>(spec.name(), 0, spec.keySerde().serializer().serialize(spec.name(), 0),
                    value)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("sending an OOM trigger failed: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /**
     * Reads {@code kills} until the kill of request {@code id} is visible. Every kill read is checked on the way: one
     * per request, a victim not killed before.
     */
    private static KillEvent awaitKill(KafkaConsumer<byte[], byte[]> consumer, TopicSpec<Integer, KillEvent> topic,
            String id,
                                       long start, Set<String> requestsSoFar, Set<Integer> killedSoFar) {
        KillEvent found = null;
        while (found == null) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                KillEvent e = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                if (!requestsSoFar.add(e.getRequestId())) {
                    throw new IllegalStateException("request " + e.getRequestId()
                            + " killed twice; each should kill one task");
                }
                if (!killedSoFar.add(e.getVictimPid())) {
                    throw new IllegalStateException("request " + e.getRequestId() + " killed pid " + e.getVictimPid()
                            + " again");
                }
                if (e.getRequestId().equals(id)) {
                    found = e;
                }
            }
            if (found == null && System.nanoTime() - start > PER_REQUEST_TIMEOUT.toNanos()) {
                throw new IllegalStateException("no kill of request " + id + " on " + topic.name() + " within "
                        + PER_REQUEST_TIMEOUT.toSeconds() + " s");
            }
        }
        return found;
    }

    private static Map<String, Object> producerProps(String bootstrapServers) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "oomsim-bench-oom-trigger");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    private static Map<String, Object> consumerProps(String bootstrapServers) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 0);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "oomsim-bench-kill-watch");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }
}
