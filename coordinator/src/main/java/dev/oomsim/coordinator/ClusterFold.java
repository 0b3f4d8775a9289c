package dev.oomsim.coordinator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.oomsim.lock.Acquisition;
import dev.oomsim.lock.AvroClaimCodec;
import dev.oomsim.lock.Claim;
import dev.oomsim.lock.LockKey;
import dev.oomsim.lock.LockRecord;
import dev.oomsim.lock.LockRecordDecoder;
import dev.oomsim.lock.LockState;
import dev.oomsim.schemas.AllocationPressure;
import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.DeadLetterTally;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.LockHolder;
import dev.oomsim.schemas.LockPressure;
import dev.oomsim.schemas.PathCounts;
import dev.oomsim.schemas.PathRates;
import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.PsiAverages;
import dev.oomsim.schemas.PsiPressure;
import dev.oomsim.schemas.WatermarkLevel;
import dev.oomsim.schemas.ZonePressure;
import dev.oomsim.service.DeadLetterCategory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds the per-node views, every kill, the {@code oom-lock} topic and the {@code dead-letter} topic into the
 * cluster's {@code PressureView} (one task: every input has one partition), kept in {@code cluster-pressure} and
 * forwarded keyed {@code cluster}; keeps {@code recent-kills}. A kill that comes after its minute window closed is
 * still kept and counted in the totals, not in the windows, and is forwarded as a {@code late} dead letter.
 */
final class ClusterFold implements Processor<String, Object, String, SpecificRecord> {

    static final String STATE_STORE = "cluster-fold-state";
    static final String NODE_VIEWS_STORE = "cluster-node-views";
    /** The lock the coordinator shows: the kernel's {@code oom_lock} (oom-lock's LockConfig). */
    static final String LOCK = "oom_lock";

    /** A raw {@code oom-lock} record's value (null: a tombstone), read by the lock module's own decoder. */
    record LockBytes(byte[] value) {
    }

    private final CoordinatorConfig config;
    private final LockRecordDecoder lockDecoder = new LockRecordDecoder(AvroClaimCodec.INSTANCE);
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, PressureView> clusterStore;
    private KeyValueStore<String, KillEvent> recentKills;
    private KeyValueStore<String, ClusterFoldState> stateStore;
    private KeyValueStore<Integer, PressureView> nodeViews;
    /**
     * The nodes' views and the fold's state as in {@link #nodeViews} and {@link #stateStore}, decoded once: every
     * record updates both (the stores stay the truth a restore starts from), and {@link #init} reloads them, so a task
     * restarted after an aborted transaction folds on from the restored stores.
     */
    private final java.util.TreeMap<Integer, PressureView> views = new java.util.TreeMap<>();
    private ClusterFoldState state;
    private LockState lock;

    ClusterFold(CoordinatorConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.clusterStore = context.getStateStore(StoreNames.CLUSTER_PRESSURE);
        this.recentKills = context.getStateStore(StoreNames.RECENT_KILLS);
        this.stateStore = context.getStateStore(STATE_STORE);
        this.nodeViews = context.getStateStore(NODE_VIEWS_STORE);
        views.clear();
        try (KeyValueIterator<Integer, PressureView> it = nodeViews.all()) {
            it.forEachRemaining(kv -> views.put(kv.key, kv.value));
        }
        ClusterFoldState stored = stateStore.get(CoordinatorTopology.CLUSTER_KEY);
        this.state = stored != null ? stored : new ClusterFoldState(config.rateWindow().toMillis());
        this.lock = replay(state);
    }

    @Override
    public void process(Record<String, Object> record) {
        ClusterFoldState s = state;
        long ts = record.timestamp();
        Object value = record.value();
        if (value instanceof PressureView v && v.getNode() != null) {
            nodeViews.put(v.getNode(), v);
            views.put(v.getNode(), v);
        } else if (value instanceof KillEvent k) {
            foldKill(s, record, k);
        } else if (value instanceof DeadLetter d) {
            foldDeadLetter(s, d, ts);
        } else if (value instanceof LockBytes b) {
            long offset = context.recordMetadata().map(m -> m.offset()).orElse(s.lockLastOffset + 1);
            foldLock(s, lockDecoder.decode(offset, ts, record.key(), b.value()));
        } else {
            return;
        }
        stateStore.put(CoordinatorTopology.CLUSTER_KEY, s);
        PressureView view = view(s, ts);
        clusterStore.put(CoordinatorTopology.CLUSTER_KEY, view);
        context.forward(record.withKey(CoordinatorTopology.CLUSTER_KEY).withValue((SpecificRecord) view));
    }

    private void foldKill(ClusterFoldState s, Record<String, Object> record, KillEvent k) {
        long ts = record.timestamp();
        if (!s.kills.fold(ts, k, config.grace().toMillis())) {
            context.forward(record.withKey(CoordinatorTopology.CLUSTER_KEY).withValue(NodeFold.late(
                    record, config.topics().kills().name(), "kill of pid " + k.getVictimPid() + " ("
                            + k.getRequestId() + ") at " + ts + " ms came after its minute window closed at "
                            + s.kills.minutes.closedUpToMs + " ms (grace " + config.grace().toMillis() + " ms)")));
        }
        String key = KillKeys.of(ts, k.getRequestId());
        if (recentKills.get(key) == null) {
            s.recentKills++;
        }
        recentKills.put(key, k);
        while (s.recentKills > config.recentKills()) {
            String oldest;
            try (KeyValueIterator<String, KillEvent> it = recentKills.all()) {
                oldest = it.hasNext() ? it.next().key : null;
            }
            if (oldest == null) {
                s.recentKills = 0;
                break;
            }
            recentKills.delete(oldest);
            s.recentKills--;
        }
    }

    private static void foldDeadLetter(ClusterFoldState s, DeadLetter d, long ts) {
        ClusterFoldState.Tally t = s.deadLetters.computeIfAbsent(d.getSourceTopic(), k -> new java.util.TreeMap<>())
                .computeIfAbsent(reasonOf(d), k -> new ClusterFoldState.Tally());
        t.count++;
        t.lastAtMs = Math.max(t.lastAtMs, d.getTimestampMs() > 0 ? d.getTimestampMs() : ts);
        t.lastDetail = d.getReason();
    }

    /**
     * The tally's reason: the {@code DeadLetterCategory} label the letter's error class or reason names, else its
     * error class when it has one (the coordinator's own {@code late}), else the reason itself.
     */
    static String reasonOf(DeadLetter d) {
        String errorClass = d.getErrorClass();
        for (DeadLetterCategory c : DeadLetterCategory.values()) {
            if (c.label().equals(errorClass) || c.label().equals(d.getReason()) || c.name().equals(d.getReason())) {
                return c.label();
            }
        }
        return errorClass != null && !errorClass.isBlank() ? errorClass : d.getReason();
    }

    private void foldLock(ClusterFoldState s, LockRecord r) {
        if (r.offset() <= lock.lastOffset()) {
            return; // already folded (a replay after a restart): the fold takes each offset once
        }
        Optional<Acquisition> acquired = lock.apply(r);
        long now = lock.logTimeMs();
        if (r instanceof LockRecord.ClaimRecord c && c.key().lock().equals(LOCK)
                && lock.holder().map(h -> !h.key().equals(c.key())).orElse(true)) {
            s.trylockFailures++;
            s.failures.add(now, 1);
        }
        Optional<Claim> holder = lock.holder();
        if (s.holderKey != null && holder.map(h -> h.rank() != s.holderToken).orElse(true)) {
            long held = Math.max(0, now - s.holderSinceMs);
            s.lastHoldMs = held;
            s.maxHoldMs = Math.max(s.maxHoldMs, held);
            s.holds++;
            s.holdSumMs += held;
            s.holderKey = null;
            s.holderToken = -1;
        }
        if (acquired.isPresent()) {
            Acquisition a = acquired.get();
            s.grants++;
            if (a.isTakeoverAfterExpiry()) {
                s.takeovers++;
            }
            s.holderKey = a.holder().key().asString();
            s.holderContender = a.holder().key().contender();
            s.holderIncarnation = a.holder().key().incarnation();
            s.holderToken = a.token();
            s.holderSinceMs = a.logTimeMs();
        }
        s.failures.advance(now, 0);
        s.claims = new ArrayList<>();
        for (Claim c : lock.claims().values()) {
            ClusterFoldState.ClaimSnapshot snap = new ClusterFoldState.ClaimSnapshot();
            snap.lock = c.key().lock();
            snap.contender = c.key().contender();
            snap.incarnation = c.key().incarnation();
            snap.requestId = c.requestId();
            snap.rank = c.rank();
            snap.appendTimeMs = c.appendTimeMs();
            snap.leaseMs = c.leaseMs();
            s.claims.add(snap);
        }
        s.lockLogTimeMs = lock.logTimeMs();
        s.lockLastOffset = lock.lastOffset();
    }

    /**
     * Rebuilds the lock fold from its stored claims by folding them again in rank (offset) order, then the last
     * record's log time: the same state LockState had, reached through LockState itself.
     */
    private static LockState replay(ClusterFoldState s) {
        LockState state = new LockState(LOCK);
        s.claims.stream().sorted(Comparator.comparingLong(c -> c.rank)).forEach(c -> state.apply(
                new LockRecord.ClaimRecord(c.rank, c.appendTimeMs, new LockKey(c.lock, c.contender, c.incarnation),
                        c.requestId, c.leaseMs)));
        if (s.lockLastOffset > state.lastOffset()) {
            state.apply(new LockRecord.Other(s.lockLastOffset, s.lockLogTimeMs));
        }
        return state;
    }

    private PressureView view(ClusterFoldState s, long ts) {
        PressureView.Builder v = PressureView.newBuilder().setScope(CoordinatorTopology.CLUSTER_KEY).setNode(null);
        long managed = 0;
        long free = 0;
        long requests = 0;
        long failed = 0;
        long mayOom = 0;
        long updated = ts;
        int nodes = 0;
        WatermarkLevel level = null;
        List<ZonePressure> zones = new ArrayList<>();
        long[] totals = new long[5];
        double[] rates = new double[5];
        long retries = 0;
        long stall = 0;
        boolean anyAlloc = false;
        double[] some = new double[3];
        double[] full = new double[3];
        long someTotal = 0;
        long fullTotal = 0;
        boolean anyPsi = false;
        for (PressureView n : views.values()) {
            managed += n.getManagedPages();
            free += n.getFreePages();
            requests += n.getRequests();
            failed += n.getFailedAllocations();
            mayOom += n.getMayOomCalls();
            updated = Math.max(updated, n.getUpdatedAtMs());
            if (!n.getZones().isEmpty()) {
                nodes++;
            }
            level = Views.worst(level, n.getLevel());
            zones.addAll(n.getZones());
            AllocationPressure a = n.getAllocations();
            if (a != null) {
                anyAlloc = true;
                PathCounts t = a.getTotals();
                PathRates r = a.getPerSecond();
                long[] tt = {t.getFastPath(), t.getSlowPath(), t.getReclaim(), t.getMayOom(), t.getNopage()};
                double[] rr = {r.getFastPath(), r.getSlowPath(), r.getReclaim(), r.getMayOom(), r.getNopage()};
                for (int i = 0; i < 5; i++) {
                    totals[i] += tt[i];
                    rates[i] += rr[i];
                }
                retries += a.getRetries();
                stall += a.getStallMs();
            }
            PsiPressure p = n.getPsi();
            if (p != null) {
                anyPsi = true;
                max(some, p.getSome());
                max(full, p.getFull());
                someTotal += p.getSome().getTotalMs();
                fullTotal += p.getFull().getTotalMs();
            }
        }
        v.setManagedPages(managed).setFreePages(free).setRequests(requests).setFailedAllocations(failed)
                .setMayOomCalls(mayOom).setUpdatedAtMs(updated).setNodes(nodes).setLevel(level).setZones(zones)
                .setKills(s.kills.kills).setLastVictimPid(s.kills.lastVictimPid)
                .setLastVictimComm(s.kills.lastVictimComm).setKillWindows(s.kills.view())
                .setLock(lockView(s)).setDeadLetters(tallies(s));
        if (anyAlloc) {
            v.setAllocations(AllocationPressure.newBuilder()
                    .setTotals(PathCounts.newBuilder().setFastPath(totals[0]).setSlowPath(totals[1])
                            .setReclaim(totals[2]).setMayOom(totals[3]).setNopage(totals[4]).build())
                    .setPerSecond(PathRates.newBuilder().setFastPath(rates[0]).setSlowPath(rates[1])
                            .setReclaim(rates[2]).setMayOom(rates[3]).setNopage(rates[4]).build())
                    .setRateWindowMs(config.rateWindow().toMillis()).setRetries(retries).setStallMs(stall).build());
        }
        if (anyPsi) {
            v.setPsi(PsiPressure.newBuilder()
                    .setSome(PsiAverages.newBuilder().setAvg10(some[0]).setAvg60(some[1]).setAvg300(some[2])
                            .setTotalMs(someTotal).build())
                    .setFull(PsiAverages.newBuilder().setAvg10(full[0]).setAvg60(full[1]).setAvg300(full[2])
                            .setTotalMs(fullTotal).build())
                    .build());
        }
        return v.build();
    }

    private static void max(double[] acc, PsiAverages a) {
        acc[0] = Math.max(acc[0], a.getAvg10());
        acc[1] = Math.max(acc[1], a.getAvg60());
        acc[2] = Math.max(acc[2], a.getAvg300());
    }

    private static LockPressure lockView(ClusterFoldState s) {
        double windowSec = s.failures.sizeMs / 1000.0;
        return LockPressure.newBuilder()
                .setHolder(s.holderKey == null ? null : LockHolder.newBuilder().setContender(s.holderContender)
                        .setIncarnation(s.holderIncarnation).setToken(s.holderToken).setSinceMs(s.holderSinceMs)
                        .build())
                .setGrants(s.grants).setTakeovers(s.takeovers).setTrylockFailures(s.trylockFailures)
                .setTrylockFailuresPerSecond(s.failures.lastClosed()[0] / windowSec)
                .setLastHoldMs(s.lastHoldMs).setMaxHoldMs(s.maxHoldMs)
                .setMeanHoldMs(s.holds == 0 ? 0 : (double) s.holdSumMs / s.holds)
                .build();
    }

    private static List<DeadLetterTally> tallies(ClusterFoldState s) {
        List<DeadLetterTally> out = new ArrayList<>();
        for (Map.Entry<String, java.util.TreeMap<String, ClusterFoldState.Tally>> topic : s.deadLetters.entrySet()) {
            for (Map.Entry<String, ClusterFoldState.Tally> r : topic.getValue().entrySet()) {
                out.add(DeadLetterTally.newBuilder().setSourceTopic(topic.getKey()).setReason(r.getKey())
                        .setCount(r.getValue().count).setLastAtMs(r.getValue().lastAtMs)
                        .setLastDetail(r.getValue().lastDetail).build());
            }
        }
        return out;
    }
}
