package dev.oomsim.coordinator;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.OutcomeKind;
import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.ProgressEvent;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds one node's {@code node-state}, {@code progress} and {@code kills} records (re-keyed by node id) into its
 * {@code PressureView}, kept in {@code node-pressure} and forwarded keyed {@code node-<id>}. A progress record that
 * comes after its rate window closed still counts in the totals but not in the windows, and is forwarded as a
 * {@code late} dead letter.
 */
final class NodeFold implements Processor<Integer, SpecificRecord, String, SpecificRecord> {

    static final String STATE_STORE = "node-fold-state";

    private final CoordinatorConfig config;
    private final String progressTopic;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<Integer, PressureView> views;
    private KeyValueStore<Integer, NodeFoldState> states;
    /**
     * The task's nodes' views and fold states as in {@link #views} and {@link #states}, decoded once: every record
     * updates both (the stores stay the truth a restore starts from); {@link #init} forgets them, so a task restarted
     * after an aborted transaction reads them again from the restored stores.
     */
    private final Map<Integer, PressureView> viewCache = new HashMap<>();
    private final Map<Integer, NodeFoldState> stateCache = new HashMap<>();

    NodeFold(CoordinatorConfig config) {
        this.config = config;
        this.progressTopic = config.topics().progress().name();
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.views = context.getStateStore(StoreNames.NODE_PRESSURE);
        this.states = context.getStateStore(STATE_STORE);
        viewCache.clear();
        stateCache.clear();
    }

    @Override
    public void process(Record<Integer, SpecificRecord> record) {
        int node = record.key();
        long ts = record.timestamp();
        long grace = config.grace().toMillis();
        PressureView previous = viewCache.containsKey(node) ? viewCache.get(node) : views.get(node);
        PressureView.Builder view = previous == null
                ? PressureView.newBuilder().setScope(Views.nodeScope(node)).setNode(node).setManagedPages(0)
                        .setFreePages(0)
                : PressureView.newBuilder(previous);
        NodeFoldState s = stateCache.containsKey(node) ? stateCache.get(node) : states.get(node);
        if (s == null) {
            s = new NodeFoldState(config.rateWindow().toMillis());
        }
        s.streamTimeMs = Math.max(s.streamTimeMs, ts);
        if (record.value() instanceof NodeState state) {
            Views.applyState(view, state);
        } else if (record.value() instanceof ProgressEvent p) {
            if (!foldProgress(s, p, ts)) {
                context.forward(record.withKey(Views.nodeScope(node)).withValue(late(record, progressTopic,
                        "progress " + p.getRequestId() + " at " + ts + " ms came after its rate window closed at "
                                + s.rates.closedUpToMs + " ms (grace " + grace + " ms)")));
            }
        } else if (record.value() instanceof KillEvent k) {
            s.kills.fold(ts, k, grace);
        }
        s.rates.advance(s.streamTimeMs, grace);
        s.psi.advance(s.streamTimeMs, grace);
        s.kills.minutes.advance(Math.max(s.kills.streamTimeMs, s.streamTimeMs), grace);
        view.setUpdatedAtMs(Math.max(view.getUpdatedAtMs(), ts))
                .setRequests(s.requests).setFailedAllocations(s.failedAllocations).setMayOomCalls(s.mayOomCalls)
                .setKills(s.kills.kills).setLastVictimPid(s.kills.lastVictimPid)
                .setLastVictimComm(s.kills.lastVictimComm)
                .setAllocations(Views.allocations(s, config.rateWindow().toMillis()))
                .setPsi(Views.psi(s.psi))
                .setKillWindows(s.kills.view());
        PressureView built = view.build();
        states.put(node, s);
        views.put(node, built);
        stateCache.put(node, s);
        viewCache.put(node, built);
        context.forward(record.withKey(Views.nodeScope(node)).withValue(built));
    }

    /** Folds one outcome; false when it came after its rate window closed (totals still count it). */
    private boolean foldProgress(NodeFoldState s, ProgressEvent p, long ts) {
        s.requests++;
        s.mayOomCalls += p.getMayOomCalls();
        if (p.getKind() != OutcomeKind.ALLOC) {
            return true;
        }
        if (p.getPage() == null) {
            s.failedAllocations++;
        }
        PathClass c = PathClass.of(p.getPath());
        s.totals[c.ordinal()]++;
        s.retries += PathClass.retries(p.getPath());
        if (c == PathClass.FAST_PATH) {
            return s.rates.add(ts, unit(c));
        }
        s.stallMs += p.getStallMs();
        boolean full = p.getPath().stream().anyMatch(step -> step.startsWith("reclaim:")
                || step.startsWith("may_oom:"));
        if (p.getStallMs() > 0) {
            s.psi.stall(ts - p.getStallMs(), ts, full);
        }
        return s.rates.add(ts, unit(c));
    }

    private static double[] unit(PathClass c) {
        double[] v = new double[PathClass.values().length];
        v[c.ordinal()] = 1;
        return v;
    }

    /** A {@code late} dead letter for a record this fold saw after its window closed. */
    static DeadLetter late(Record<?, ?> record, String sourceTopic, String detail) {
        byte[] key = record.key() instanceof Integer i ? Serdes.Integer().serializer().serialize(sourceTopic, i)
                : null;
        DecodeInput.count(CoordinatorTopology.LATE);
        return DeadLetter.newBuilder()
                .setSourceTopic(sourceTopic)
                .setSourcePartition(-1)
                .setSourceOffset(-1)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setReason("late: " + detail)
                .setErrorClass(CoordinatorTopology.LATE)
                .setService(CoordinatorTopology.SERVICE)
                .setTimestampMs(record.timestamp())
                .build();
    }
}
