package dev.oomsim.schemas.topics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.LockClaim;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeSnapshot;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.serde.AvroEventSerde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topic catalogue of docs/architecture.md: every topic's name (with a configurable prefix), key and value serdes,
 * partitions and configs. Immutable.
 *
 * @param prefix                  prepended to every topic name, default {@value #DEFAULT_PREFIX}
 * @param nodes                   simulated NUMA nodes: {@code alloc-requests} has at least one partition per node
 * @param lockMinCompactionLagMs  {@code min.compaction.lag.ms} of the lock topic: far above the lease and any
 *                                reader's catch-up time (docs/lock-protocol.md)
 */
public record Topics(String prefix, int nodes, long lockMinCompactionLagMs) {

    public static final String DEFAULT_PREFIX = "oomsim.";
    public static final long DEFAULT_LOCK_MIN_COMPACTION_LAG_MS = Duration.ofMinutes(10).toMillis();
    /** The largest node snapshot record the {@code node-snapshots} topic and the agents' producers accept. */
    public static final int MAX_SNAPSHOT_BYTES = 64 << 20;

    public Topics {
        if (prefix == null || !prefix.matches("[A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("topic prefix may hold only letters, digits, '.', '_' and '-', was '"
                    + prefix + "'");
        }
        if (nodes < 1) {
            throw new IllegalArgumentException("nodes must be >= 1, was " + nodes);
        }
        if (lockMinCompactionLagMs < 1) {
            throw new IllegalArgumentException("lockMinCompactionLagMs must be >= 1, was " + lockMinCompactionLagMs);
        }
    }

    public Topics(String prefix, int nodes) {
        this(prefix, nodes, DEFAULT_LOCK_MIN_COMPACTION_LAG_MS);
    }

    public static Topics defaults(int nodes) {
        return new Topics(DEFAULT_PREFIX, nodes);
    }

    /**
     * The nodes' command logs: partition n holds node n's commands (allocation requests from users, calls and
     * replies between agents), keyed by node id (docs/node-agent-design.md).
     */
    public TopicSpec<Integer, NodeCommand> allocRequests() {
        return new TopicSpec<>(prefix + "alloc-requests", Serdes.Integer(), AvroEventSerde.of(NodeCommand.class),
                new PartitionRule.AtLeast(nodes), deletePolicy());
    }

    /** The cluster-wide task table, keyed by pid; compacted so the latest event of each task stays. */
    public TopicSpec<Integer, TaskEvent> taskEvents() {
        return new TopicSpec<>(prefix + "task-events", Serdes.Integer(), AvroEventSerde.of(TaskEvent.class),
                new PartitionRule.Exactly(1), compactPolicy());
    }

    /** Claims on the cluster-wide locks, keyed {@code <lock>/<contender>/<incarnation>} (docs/lock-protocol.md). */
    public TopicSpec<String, LockClaim> oomLock() {
        Map<String, ConfigRule> c = new LinkedHashMap<>();
        c.put("cleanup.policy", ConfigRule.equalTo("compact"));
        c.put("message.timestamp.type", ConfigRule.equalTo("LogAppendTime"));
        c.put("min.compaction.lag.ms", ConfigRule.atLeast(lockMinCompactionLagMs));
        c.put("delete.retention.ms", ConfigRule.atLeast(lockMinCompactionLagMs + 1));
        return new TopicSpec<>(prefix + "oom-lock", Serdes.String(), AvroEventSerde.of(LockClaim.class),
                new PartitionRule.Exactly(1), c);
    }

    /** One outcome per request, keyed by the reporting node. */
    public TopicSpec<Integer, ProgressEvent> progress() {
        return new TopicSpec<>(prefix + "progress", Serdes.Integer(), AvroEventSerde.of(ProgressEvent.class),
                new PartitionRule.AtLeast(1), deletePolicy());
    }

    /** OOM kills, keyed by victim pid. */
    public TopicSpec<Integer, KillEvent> kills() {
        return new TopicSpec<>(prefix + "kills", Serdes.Integer(), AvroEventSerde.of(KillEvent.class),
                new PartitionRule.Exactly(1), deletePolicy());
    }

    /** Node snapshots, keyed by node id; compacted. */
    public TopicSpec<Integer, NodeState> nodeState() {
        return new TopicSpec<>(prefix + "node-state", Serdes.Integer(), AvroEventSerde.of(NodeState.class),
                new PartitionRule.AtLeast(1), compactPolicy());
    }

    /**
     * Restorable node snapshots ({@link NodeSnapshot}), keyed by node id, partition n for node n; compacted. A
     * snapshot of a big fragmented node runs to megabytes (one to a few bytes per free block), so the topic accepts
     * records up to {@link #MAX_SNAPSHOT_BYTES}.
     */
    public TopicSpec<Integer, NodeSnapshot> nodeSnapshots() {
        Map<String, ConfigRule> c = new LinkedHashMap<>();
        c.put("cleanup.policy", ConfigRule.equalTo("compact"));
        c.put("max.message.bytes", ConfigRule.atLeast(MAX_SNAPSHOT_BYTES));
        return new TopicSpec<>(prefix + "node-snapshots", Serdes.Integer(), AvroEventSerde.of(NodeSnapshot.class),
                new PartitionRule.AtLeast(nodes), c);
    }

    /** The coordinator's pressure views, keyed by {@code node-<id>} or {@code cluster}; compacted. */
    public TopicSpec<String, PressureView> pressure() {
        return new TopicSpec<>(prefix + "pressure", Serdes.String(), AvroEventSerde.of(PressureView.class),
                new PartitionRule.AtLeast(1), compactPolicy());
    }

    /** Records no service could process, keyed by the original key bytes. */
    public TopicSpec<byte[], DeadLetter> deadLetter() {
        return new TopicSpec<>(prefix + "dead-letter", Serdes.ByteArray(), AvroEventSerde.of(DeadLetter.class),
                new PartitionRule.AtLeast(1), deletePolicy());
    }

    /** Every topic, in the order of docs/architecture.md. */
    public List<TopicSpec<?, ?>> all() {
        return List.of(allocRequests(), taskEvents(), oomLock(), progress(), kills(), nodeState(), nodeSnapshots(),
                pressure(),
                deadLetter());
    }

    private static Map<String, ConfigRule> deletePolicy() {
        return Map.of("cleanup.policy", ConfigRule.equalTo("delete"));
    }

    private static Map<String, ConfigRule> compactPolicy() {
        return Map.of("cleanup.policy", ConfigRule.equalTo("compact"));
    }
}
