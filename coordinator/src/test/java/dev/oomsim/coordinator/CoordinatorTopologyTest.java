package dev.oomsim.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.oomsim.lock.AvroClaimCodec;
import dev.oomsim.lock.ClaimValue;
import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.DeadLetterTally;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.LockPressure;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.OomConstraint;
import dev.oomsim.schemas.OutcomeKind;
import dev.oomsim.schemas.Page;
import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.Profile;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.WatermarkLevel;
import dev.oomsim.schemas.ZoneState;
import dev.oomsim.schemas.ZoneType;
import dev.oomsim.schemas.serde.AvroEventSerde;
import dev.oomsim.schemas.topics.Topics;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CoordinatorTopologyTest {

    /** A minute, 10 s and 2 s boundary: windows and PSI periods start here. */
    private static final long T0 = 1_700_000_040_000L;

    private final Topics topics = Topics.defaults(2);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private CoordinatorConfig config = CoordinatorConfig.defaults(topics);
    private TopologyTestDriver driver;
    private TestInputTopic<Integer, NodeState> nodeState;
    private TestInputTopic<Integer, ProgressEvent> progress;
    private TestInputTopic<Integer, KillEvent> kills;
    private TestInputTopic<String, byte[]> lock;
    private TestOutputTopic<String, PressureView> pressure;
    private TestOutputTopic<byte[], DeadLetter> deadLetters;

    @BeforeEach
    void start() {
        startWith(config);
    }

    private void startWith(CoordinatorConfig c) {
        if (driver != null) {
            driver.close();
        }
        config = c;
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, c.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(CoordinatorTopology.build(c), props, Instant.ofEpochMilli(T0));
        nodeState = driver.createInputTopic(topics.nodeState().name(), Serdes.Integer().serializer(),
                topics.nodeState().valueSerde().serializer());
        progress = driver.createInputTopic(topics.progress().name(), Serdes.Integer().serializer(),
                topics.progress().valueSerde().serializer());
        kills = driver.createInputTopic(topics.kills().name(), Serdes.Integer().serializer(),
                topics.kills().valueSerde().serializer());
        lock = driver.createInputTopic(topics.oomLock().name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        pressure = driver.createOutputTopic(topics.pressure().name(), Serdes.String().deserializer(),
                topics.pressure().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetter().name(), Serdes.ByteArray().deserializer(),
                topics.deadLetter().valueSerde().deserializer());
    }

    @BeforeEach
    void bindCounters() {
        Metrics.addRegistry(registry);
    }

    @AfterEach
    void stop() {
        driver.close();
        Metrics.removeRegistry(registry);
    }

    private KeyValueStore<Integer, PressureView> nodeStore() {
        return driver.getKeyValueStore(StoreNames.NODE_PRESSURE);
    }

    private PressureView cluster() {
        KeyValueStore<String, PressureView> store = driver.getKeyValueStore(StoreNames.CLUSTER_PRESSURE);
        return store.get(CoordinatorTopology.CLUSTER_KEY);
    }

    /** The newest value per key on the pressure topic (what compaction keeps). */
    private Map<String, PressureView> compactedPressure() {
        Map<String, PressureView> latest = new LinkedHashMap<>();
        for (KeyValue<String, PressureView> kv : pressure.readKeyValuesToList()) {
            latest.put(kv.key, kv.value);
        }
        return latest;
    }

    private static ZoneState zone(ZoneType type, long managed, long free, long min, long low, long high) {
        return ZoneState.newBuilder().setZone(type).setManagedPages(managed).setFreePages(free)
                .setNrFree(List.of(free, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L)).setWatermarkMin(min)
                .setWatermarkLow(low).setWatermarkHigh(high).build();
    }

    private static NodeState state(int node, ZoneState... zones) {
        return NodeState.newBuilder().setNode(node).setSequence(1).setProfile(Profile.SEED).setMinFreeKbytes(64)
                .setTotalramPages(4096).setZones(List.of(zones)).build();
    }

    private static ProgressEvent alloc(int node, String id, long stallMs, boolean failed, String... path) {
        return ProgressEvent.newBuilder().setRequestId(id).setNode(node).setPid(100).setKind(OutcomeKind.ALLOC)
                .setPage(failed ? null : Page.newBuilder().setNode(node).setZone(ZoneType.NORMAL).setPfn(0)
                        .setOrder(0).build())
                .setPath(List.of(path)).setStallMs(stallMs)
                .setMayOomCalls((int) List.of(path).stream().filter(s -> s.startsWith("may_oom:")).count())
                .build();
    }

    private static KillEvent kill(String id, int victim, OomConstraint constraint) {
        return KillEvent.newBuilder().setRequestId(id).setVictimPid(victim).setVictimComm("task" + victim)
                .setVictimUid(0).setChosenPid(victim).setPoints(500).setScore(500).setTotalpages(4096)
                .setConstraint(constraint).setGfpMask(0x14200ca).setOrder(0).setInvokingNode(0)
                .setInvokingPid(1).setLockToken(0).setProfile(Profile.SEED).build();
    }

    @Test
    void nodeViewHasEachZonesLevelAndTheWorstAsTheNodes() {
        nodeState.pipeInput(0, state(0,
                zone(ZoneType.DMA, 1000, 100, 10, 20, 30), // 100 > high 30: above high
                zone(ZoneType.DMA32, 1000, 30, 10, 20, 30), // 30 = high: low..high
                zone(ZoneType.NORMAL, 2000, 15, 10, 20, 30)), // 10 < 15 <= 20: min..low
                T0 + 5);

        PressureView node = nodeStore().get(0);
        assertThat(node.getScope()).isEqualTo("node-0");
        assertThat(node.getZones()).extracting(z -> z.getLevel()).containsExactly(WatermarkLevel.ABOVE_HIGH,
                WatermarkLevel.LOW_TO_HIGH, WatermarkLevel.MIN_TO_LOW);
        assertThat(node.getLevel()).isEqualTo(WatermarkLevel.MIN_TO_LOW);
        assertThat(node.getManagedPages()).isEqualTo(4000);
        assertThat(node.getFreePages()).isEqualTo(145);
        assertThat(node.getProfile()).isEqualTo(Profile.SEED);
        assertThat(node.getUpdatedAtMs()).isEqualTo(T0 + 5);
        assertThat(node.getZones().get(2).getNrFree()).hasSize(11).startsWith(15L);
        Map<String, PressureView> out = compactedPressure();
        assertThat(out.get("node-0")).isEqualTo(node);
        assertThat(out.get("cluster").getLevel()).isEqualTo(WatermarkLevel.MIN_TO_LOW);
        assertThat(out.get("cluster")).isEqualTo(cluster());

        nodeState.pipeInput(0, state(0, zone(ZoneType.NORMAL, 2000, 10, 10, 20, 30)), T0 + 6); // 10 = min
        assertThat(nodeStore().get(0).getLevel()).isEqualTo(WatermarkLevel.BELOW_MIN);
    }

    @Test
    void clusterFoldsTheNewestViewOfEachNode() {
        nodeState.pipeInput(0, state(0, zone(ZoneType.NORMAL, 2000, 500, 10, 20, 30)), T0);
        nodeState.pipeInput(1, state(1, zone(ZoneType.NORMAL, 3000, 25, 10, 20, 30)), T0 + 1);
        // node 0 again: the compacted update replaces its earlier state, it does not add to it
        nodeState.pipeInput(0, state(0, zone(ZoneType.NORMAL, 2000, 15, 10, 20, 30)), T0 + 2);

        PressureView c = cluster();
        assertThat(c.getScope()).isEqualTo("cluster");
        assertThat(c.getNode()).isNull();
        assertThat(c.getNodes()).isEqualTo(2);
        assertThat(c.getManagedPages()).isEqualTo(5000);
        assertThat(c.getFreePages()).isEqualTo(15 + 25);
        assertThat(c.getLevel()).isEqualTo(WatermarkLevel.MIN_TO_LOW);
        assertThat(c.getZones()).extracting(z -> z.getNode()).containsExactlyInAnyOrder(0, 1);
        assertThat(c.getUpdatedAtMs()).isEqualTo(T0 + 2);
        Map<String, PressureView> out = compactedPressure();
        assertThat(out.get("cluster")).isEqualTo(c);
        assertThat(out.get("node-0").getFreePages()).isEqualTo(15);
        assertThat(out.get("node-1").getFreePages()).isEqualTo(25);
    }

    @Test
    void allocationsCountUnderTheFurthestStepAndRatesComeFromTheLastClosedWindow() {
        progress.pipeInput(0, alloc(0, "r1", 0, false, "fastpath:ok"), T0 + 1_000);
        progress.pipeInput(0, alloc(0, "r2", 100, false, "fastpath:fail", "kswapd:wake", "slowpath:min:ok"),
                T0 + 2_000);
        progress.pipeInput(0, alloc(0, "r3", 200, false, "fastpath:fail", "slowpath:min:fail", "reclaim:32",
                "retry", "slowpath:min:ok"), T0 + 3_000);
        progress.pipeInput(0, alloc(0, "r4", 300, false, "fastpath:fail", "reclaim:0", "may_oom:oom", "retry",
                "slowpath:min:ok"), T0 + 4_000);
        progress.pipeInput(0, alloc(0, "r5", 400, true, "fastpath:fail", "reclaim:0", "may_oom:oom", "nopage"),
                T0 + 5_000);

        PressureView v = nodeStore().get(0);
        var a = v.getAllocations();
        assertThat(List.of(a.getTotals().getFastPath(), a.getTotals().getSlowPath(), a.getTotals().getReclaim(),
                a.getTotals().getMayOom(), a.getTotals().getNopage())).containsExactly(1L, 1L, 1L, 1L, 1L);
        assertThat(a.getRetries()).isEqualTo(2);
        assertThat(a.getStallMs()).isEqualTo(100 + 200 + 300 + 400);
        assertThat(v.getRequests()).isEqualTo(5);
        assertThat(v.getFailedAllocations()).isEqualTo(1);
        assertThat(v.getMayOomCalls()).isEqualTo(2);
        // the window [T0, T0+10s) is still open: no closed window yet, no rate
        assertThat(a.getPerSecond().getFastPath()).isZero();

        // stream time T0+40s = the window's end + 30 s grace: [T0, T0+10s) closes, 1 request per path in 10 s
        progress.pipeInput(0, alloc(0, "r6", 0, false, "fastpath:ok"), T0 + 40_000);
        a = nodeStore().get(0).getAllocations();
        assertThat(a.getRateWindowMs()).isEqualTo(10_000);
        assertThat(List.of(a.getPerSecond().getFastPath(), a.getPerSecond().getSlowPath(),
                a.getPerSecond().getReclaim(), a.getPerSecond().getMayOom(), a.getPerSecond().getNopage()))
                .containsExactly(0.1, 0.1, 0.1, 0.1, 0.1);
        assertThat(a.getTotals().getFastPath()).isEqualTo(2);

        // a record for the closed window is late: dead-lettered, counted in the totals, not in the rates
        progress.pipeInput(0, alloc(0, "r7", 0, false, "fastpath:ok"), T0 + 9_000);
        a = nodeStore().get(0).getAllocations();
        assertThat(a.getTotals().getFastPath()).isEqualTo(3);
        assertThat(a.getPerSecond().getFastPath()).isEqualTo(0.1);
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).singleElement().satisfies(d -> {
            assertThat(d.getErrorClass()).isEqualTo("late");
            assertThat(d.getSourceTopic()).isEqualTo(topics.progress().name());
            assertThat(d.getReason()).contains("r7");
        });
        assertThat(registry.get(DecodeInput.COUNTER).tag("reason", "late").counter().count()).isEqualTo(1.0);
        // the cluster sums the node's paths
        assertThat(cluster().getAllocations().getTotals().getFastPath()).isEqualTo(3);
        assertThat(cluster().getDeadLetters()).extracting(DeadLetterTally::getReason).containsExactly("late");
        Map<String, PressureView> out = compactedPressure();
        assertThat(out.get("node-0")).isEqualTo(nodeStore().get(0));
    }

    @Test
    void psiAveragesDecayAsTheKernelsCalcLoad() {
        // one request in direct reclaim stalled 1000 ms, reported at T0+2s: [T0+1s, T0+2s) is stalled, some and
        // full, which is 50 % of the 2 s period [T0, T0+2s)
        progress.pipeInput(1, alloc(1, "r1", 1_000, false, "fastpath:fail", "reclaim:8", "slowpath:min:ok"),
                T0 + 2_000);
        assertThat(nodeStore().get(1).getPsi().getSome().getAvg10()).isZero(); // not folded before its grace
        // stream time T0+34s: periods ending by T0+4s are folded (30 s grace): [T0, T0+2s) at 50 %, then
        // [T0+2s, T0+4s) at 0 % (the periods before T0 are 0 % and leave the averages at 0)
        progress.pipeInput(1, alloc(1, "r2", 0, false, "fastpath:ok"), T0 + 34_000);
        var psi = nodeStore().get(1).getPsi();
        // avg = avg * e + pct * (1 - e), e = EXP / FIXED_1 (2048):
        //   avg10  = (50 * (2048 - 1677) / 2048) * 1677 / 2048 = 9.0576171875 * 0.81884765625
        //   avg60  = (50 * (2048 - 1981) / 2048) * 1981 / 2048 = 1.6357421875 * 0.96728515625
        //   avg300 = (50 * (2048 - 2034) / 2048) * 2034 / 2048 = 0.341796875  * 0.9931640625
        double avg10 = 9.0576171875 * 0.81884765625;
        double avg60 = 1.6357421875 * 0.96728515625;
        double avg300 = 0.341796875 * 0.9931640625;
        assertThat(psi.getSome().getAvg10()).isCloseTo(avg10, within(1e-9));
        assertThat(psi.getSome().getAvg60()).isCloseTo(avg60, within(1e-9));
        assertThat(psi.getSome().getAvg300()).isCloseTo(avg300, within(1e-9));
        assertThat(psi.getFull().getAvg10()).isCloseTo(avg10, within(1e-9));
        assertThat(psi.getSome().getTotalMs()).isEqualTo(1_000);
        assertThat(psi.getFull().getTotalMs()).isEqualTo(1_000);

        // a slow-path request without reclaim stalls some, not full: 500 ms in [T0+34s, T0+36s) = 25 %
        progress.pipeInput(1, alloc(1, "r3", 500, false, "fastpath:fail", "slowpath:min:ok"), T0 + 35_000);
        // stream time T0+68s folds [T0+4s, T0+38s): 15 periods, [T0+34s, T0+36s) the 16th from T0+4s... only
        // the 25 % period is non-zero: 14 zero periods, the 25 % one, then one more zero period
        progress.pipeInput(1, alloc(1, "r4", 0, false, "fastpath:ok"), T0 + 68_000);
        psi = nodeStore().get(1).getPsi();
        double e10 = 1677.0 / 2048;
        double some10 = avg10;
        double full10 = avg10;
        for (long p = T0 + 4_000; p < T0 + 38_000; p += 2_000) {
            double pct = p == T0 + 34_000 ? 25 : 0;
            some10 = some10 * e10 + pct * (1 - e10);
            full10 = full10 * e10;
        }
        assertThat(psi.getSome().getAvg10()).isCloseTo(some10, within(1e-9));
        assertThat(psi.getFull().getAvg10()).isCloseTo(full10, within(1e-9));
        assertThat(psi.getSome().getTotalMs()).isEqualTo(1_500);
        assertThat(psi.getFull().getTotalMs()).isEqualTo(1_000);
        assertThat(cluster().getPsi().getSome().getAvg10()).isCloseTo(some10, within(1e-9));
    }

    @Test
    void killWindowsCountOutOfOrderKillsInGraceAndDeadLetterLateOnes() {
        kills.pipeInput(11, kill("k1", 11, OomConstraint.CONSTRAINT_NONE), T0 + 10_000);
        kills.pipeInput(12, kill("k2", 12, OomConstraint.CONSTRAINT_MEMCG), T0 + 20_000);
        kills.pipeInput(13, kill("k3", 13, OomConstraint.CONSTRAINT_NONE), T0 + 70_000);
        kills.pipeInput(14, kill("k4", 14, OomConstraint.CONSTRAINT_NONE), T0 + 65_000); // out of order
        assertThat(cluster().getKillWindows().getLastMinute()).isZero(); // [T0, T0+60s) closes at T0+90s
        // stream time T0+150s: minutes ending by T0+120s are closed, [T0, T0+60s) = 2, [T0+60s, T0+120s) = 2
        kills.pipeInput(15, kill("k5", 15, OomConstraint.CONSTRAINT_NONE), T0 + 150_000);
        var w = cluster().getKillWindows();
        assertThat(w.getLastMinute()).isEqualTo(2);
        assertThat(w.getPerMinuteOver5m()).isEqualTo((2 + 2) / 5.0);
        // after its minute closed: late
        kills.pipeInput(16, kill("k6", 16, OomConstraint.CONSTRAINT_NONE), T0 + 30_000);

        PressureView c = cluster();
        assertThat(c.getKills()).isEqualTo(6);
        assertThat(c.getKillWindows().getLastMinute()).isEqualTo(2);
        assertThat(c.getKillWindows().getLateDropped()).isEqualTo(1);
        assertThat(c.getKillWindows().getByConstraint()).containsEntry("CONSTRAINT_NONE", 5L)
                .containsEntry("CONSTRAINT_MEMCG", 1L);
        assertThat(c.getLastVictimPid()).isEqualTo(15); // the newest in event time, not the last to arrive
        assertThat(c.getLastVictimComm()).isEqualTo("task15");
        assertThat(deadLetters.readValuesToList()).singleElement().satisfies(d -> {
            assertThat(d.getErrorClass()).isEqualTo("late");
            assertThat(d.getSourceTopic()).isEqualTo(topics.kills().name());
        });
        assertThat(c.getDeadLetters()).singleElement().satisfies(t -> {
            assertThat(t.getReason()).isEqualTo("late");
            assertThat(t.getSourceTopic()).isEqualTo(topics.kills().name());
            assertThat(t.getCount()).isEqualTo(1);
        });
        // the node view (kills by invoking node 0) folds the same kills
        assertThat(nodeStore().get(0).getKills()).isEqualTo(6);
        assertThat(nodeStore().get(0).getKillWindows().getLastMinute()).isEqualTo(2);

        KeyValueStore<String, KillEvent> recent = driver.getKeyValueStore(StoreNames.RECENT_KILLS);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, KillEvent> it = recent.range(KillKeys.from(T0 + 60_000), null)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        assertThat(keys).containsExactly(KillKeys.of(T0 + 65_000, "k4"), KillKeys.of(T0 + 70_000, "k3"),
                KillKeys.of(T0 + 150_000, "k5"));
        assertThat(recent.get(KillKeys.of(T0 + 30_000, "k6")).getVictimPid()).isEqualTo(16);
        assertThat(compactedPressure().get("cluster")).isEqualTo(c);
    }

    @Test
    void recentKillsKeepsOnlyTheNewest() {
        startWith(new CoordinatorConfig(topics, "t", Duration.ofSeconds(10), Duration.ofSeconds(30), 3));
        for (int i = 0; i < 5; i++) {
            kills.pipeInput(i, kill("k" + i, i, OomConstraint.CONSTRAINT_NONE), T0 + i * 1_000L);
        }
        KeyValueStore<String, KillEvent> recent = driver.getKeyValueStore(StoreNames.RECENT_KILLS);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, KillEvent> it = recent.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        assertThat(keys).containsExactly(KillKeys.of(T0 + 2_000, "k2"), KillKeys.of(T0 + 3_000, "k3"),
                KillKeys.of(T0 + 4_000, "k4"));
        assertThat(cluster().getKills()).isEqualTo(5);
    }

    private void claim(String contender, String incarnation, long leaseMs, long appendTimeMs) {
        lock.pipeInput("oom_lock/" + contender + "/" + incarnation, AvroClaimCodec.INSTANCE.encode(
                new ClaimValue(contender, incarnation, contender + "-req", leaseMs)), appendTimeMs);
    }

    private void withdraw(String contender, String incarnation, long appendTimeMs) {
        lock.pipeInput(new TestRecord<>("oom_lock/" + contender + "/" + incarnation, null,
                Instant.ofEpochMilli(appendTimeMs)));
    }

    @Test
    void lockViewFollowsTheLockModulesFold() {
        claim("node-0", "i0", 1_000, T0 + 1_000); // offset 0: granted, token 0
        LockPressure l = cluster().getLock();
        assertThat(l.getHolder().getContender()).isEqualTo("node-0");
        assertThat(l.getHolder().getToken()).isZero();
        assertThat(l.getGrants()).isEqualTo(1);

        claim("node-1", "i1", 1_000, T0 + 1_100); // offset 1: node-0 holds, node-1 fails its trylock
        withdraw("node-1", "i1", T0 + 1_150); // offset 2: it withdraws
        l = cluster().getLock();
        assertThat(l.getTrylockFailures()).isEqualTo(1);
        assertThat(l.getHolder().getContender()).isEqualTo("node-0");

        // offset 3 at T0+2.5s: node-0's lease ran out at T0+2s without a release: node-2 takes over
        claim("node-2", "i2", 1_000, T0 + 2_500);
        l = cluster().getLock();
        assertThat(l.getHolder().getContender()).isEqualTo("node-2");
        assertThat(l.getHolder().getToken()).isEqualTo(3);
        assertThat(l.getHolder().getSinceMs()).isEqualTo(T0 + 2_500);
        assertThat(l.getGrants()).isEqualTo(2);
        assertThat(l.getTakeovers()).isEqualTo(1);
        assertThat(l.getLastHoldMs()).isEqualTo(1_500); // node-0 from T0+1s until the fold saw node-2 win

        withdraw("node-2", "i2", T0 + 2_700); // offset 4: node-2 releases
        l = cluster().getLock();
        assertThat(l.getHolder()).isNull();
        assertThat(l.getGrants()).isEqualTo(2);
        assertThat(l.getTakeovers()).isEqualTo(1);
        assertThat(l.getLastHoldMs()).isEqualTo(200);
        assertThat(l.getMaxHoldMs()).isEqualTo(1_500);
        assertThat(l.getMeanHoldMs()).isEqualTo(850.0);
        assertThat(compactedPressure().get("cluster").getLock()).isEqualTo(l);
    }

    @Test
    void undecodableAndWrongTypeRecordsAreDeadLetteredAndTheFoldGoesOn() {
        TestInputTopic<byte[], byte[]> rawStates = driver.createInputTopic(topics.nodeState().name(),
                Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        TestInputTopic<byte[], byte[]> rawProgress = driver.createInputTopic(topics.progress().name(),
                Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        rawStates.pipeInput(new byte[] {0, 0, 0, 0}, new byte[] {1, 2, 3}, T0);
        rawProgress.pipeInput(new byte[] {0, 0, 0, 0},
                AvroEventSerde.of(KillEvent.class).encode(kill("k1", 7, OomConstraint.CONSTRAINT_NONE)), T0 + 1);
        nodeState.pipeInput(0, state(0, zone(ZoneType.NORMAL, 2000, 500, 10, 20, 30)), T0 + 2);

        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).hasSize(2);
        assertThat(letters.get(0).getSourceTopic()).isEqualTo(topics.nodeState().name());
        assertThat(letters.get(0).getSourceOffset()).isZero();
        assertThat(letters.get(0).getErrorClass()).isEqualTo("undecodable");
        assertThat(letters.get(0).getReason()).contains("cannot decode NodeState");
        assertThat(letters.get(0).getValue().remaining()).isEqualTo(3);
        assertThat(letters.get(1).getSourceTopic()).isEqualTo(topics.progress().name());
        assertThat(letters.get(1).getReason()).contains("the record is a KillEvent");
        assertThat(registry.get(DecodeInput.COUNTER).tag("reason", "undecodable").counter().count())
                .isEqualTo(2.0);
        // the next good record is folded
        assertThat(nodeStore().get(0).getFreePages()).isEqualTo(500);
        assertThat(Collections.frequency(new ArrayList<>(compactedPressure().keySet()), "node-0")).isEqualTo(1);
    }

    @Test
    void deadLettersAreTalliedByCategoryAndSourceTopic() {
        TestInputTopic<byte[], DeadLetter> dl = driver.createInputTopic(topics.deadLetter().name(),
                Serdes.ByteArray().serializer(), topics.deadLetter().valueSerde().serializer());
        DeadLetter.Builder base = DeadLetter.newBuilder().setSourceTopic("oomsim.alloc-requests")
                .setSourcePartition(0).setSourceOffset(1).setService("node-agent-0");
        dl.pipeInput(null, base.setReason("order 12 > MAX_ORDER-1").setErrorClass("invalid-order")
                .setTimestampMs(T0).build(), T0);
        dl.pipeInput(null, base.setReason("order 13 > MAX_ORDER-1").setErrorClass("invalid-order")
                .setTimestampMs(T0 + 5).build(), T0 + 5);
        dl.pipeInput(null, base.setReason("something odd").setErrorClass(null).setTimestampMs(T0 + 6).build(),
                T0 + 6);
        List<DeadLetterTally> tallies = cluster().getDeadLetters();
        assertThat(tallies).extracting(DeadLetterTally::getReason).containsExactly("invalid-order",
                "something odd");
        assertThat(tallies.get(0).getCount()).isEqualTo(2);
        assertThat(tallies.get(0).getLastAtMs()).isEqualTo(T0 + 5);
        assertThat(tallies.get(0).getLastDetail()).isEqualTo("order 13 > MAX_ORDER-1");
    }

    @Test
    void levelBoundariesFollowTheWatermarks() {
        assertThat(Views.level(31, 10, 20, 30)).isEqualTo(WatermarkLevel.ABOVE_HIGH);
        assertThat(Views.level(21, 10, 20, 30)).isEqualTo(WatermarkLevel.LOW_TO_HIGH);
        assertThat(Views.level(20, 10, 20, 30)).isEqualTo(WatermarkLevel.MIN_TO_LOW);
        assertThat(Views.level(11, 10, 20, 30)).isEqualTo(WatermarkLevel.MIN_TO_LOW);
        assertThat(Views.level(10, 10, 20, 30)).isEqualTo(WatermarkLevel.BELOW_MIN);
    }

    @Test
    void killKeysSortAsTheirTimestamps() {
        assertThat(KillKeys.of(5, "r")).isEqualTo("0000000000005/r");
        assertThat(KillKeys.from(5).compareTo(KillKeys.of(5, "a"))).isNegative();
        assertThat(KillKeys.of(4, "zzz").compareTo(KillKeys.from(5))).isNegative();
        assertThat(KillKeys.timestampOf(KillKeys.of(T0, "x"))).isEqualTo(T0);
    }
}
