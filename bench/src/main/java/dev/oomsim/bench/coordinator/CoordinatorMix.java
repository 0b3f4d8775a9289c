package dev.oomsim.bench.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.oomsim.schemas.KillCandidate;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeRss;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.OomConstraint;
import dev.oomsim.schemas.OutcomeKind;
import dev.oomsim.schemas.Page;
import dev.oomsim.schemas.Profile;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskState;
import dev.oomsim.schemas.ZoneState;
import dev.oomsim.schemas.ZoneType;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A recorded mix of what the node agents write and the coordinator folds, the same for a seed: per event, a
 * {@code progress} outcome (most: fast-path allocations, some slow path, reclaim, may_oom with stall time, a few
 * NULL), a {@code node-state} snapshot of the node with its share of the tasks, or a {@code kills} event with its top
 * candidates and the kernel's lines. Event times advance one millisecond per event (inside every rate window, never
 * late). The mix ends with one {@code node-state} per node at the newest event time, so a fold that has seen
 * everything shows every node updated at {@link #lastTimestampMs()}.
 *
 * @param records         the records in produce order, encoded with the catalogue's serdes
 * @param progress        how many are {@code progress} outcomes (a cluster view's {@code requests} reach this)
 * @param kills           how many are kills (the cluster view's {@code kills} reach this)
 * @param nodeStates      how many are node snapshots
 * @param lastTimestampMs the newest event time
 */
public record CoordinatorMix(List<ProducerRecord<byte[], byte[]>> records, long progress, long kills,
                             long nodeStates, long lastTimestampMs) {

    /** Shares of the mix, per mille: node snapshots and kills; the rest are progress outcomes. */
    static final int NODE_STATE_PER_MILLE = 100;
    static final int KILL_PER_MILLE = 10;
    static final long MANAGED_PAGES = 4_194_304;

    /**
     * {@code events} events (at least one node snapshot per node is added at the end) over {@code nodes} nodes that
     * run {@code tasks} tasks between them, the first event at {@code startMs}.
     */
    public static CoordinatorMix generate(Topics topics, int nodes, int tasks, int events, long startMs, long seed) {
        if (nodes < 1 || tasks < 1 || events < 0) {
            throw new IllegalArgumentException("a mix needs nodes >= 1, tasks >= 1 and events >= 0, was " + nodes
                    + ", " + tasks + ", " + events);
        }
        if (nodes > topics.nodes()) {
            throw new IllegalArgumentException("the topics are for " + topics.nodes() + " nodes, not " + nodes);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events + nodes);
        long[] sequence = new long[nodes];
        long progress = 0;
        long kills = 0;
        long states = 0;
        long ts = startMs;
        for (int i = 0; i < events; i++, ts++) {
            int node = random.nextInt(nodes);
            int draw = random.nextInt(1000);
            if (draw < KILL_PER_MILLE) {
                KillEvent kill = kill(i, node, nodes, tasks, random);
                records.add(record(topics.kills(), kill.getVictimPid(), kill, ts));
                kills++;
            } else if (draw < KILL_PER_MILLE + NODE_STATE_PER_MILLE) {
                records.add(record(topics.nodeState(), node, nodeState(node, nodes, tasks, ++sequence[node], random),
                        ts));
                states++;
            } else {
                records.add(record(topics.progress(), node, progress(i, node, random), ts));
                progress++;
            }
        }
        long last = ts;
        for (int node = 0; node < nodes; node++) {
            records.add(record(topics.nodeState(), node, nodeState(node, nodes, tasks, ++sequence[node], random),
                    last));
            states++;
        }
        return new CoordinatorMix(List.copyOf(records), progress, kills, states, last);
    }

    public int size() {
        return records.size();
    }

    /** The tasks of {@code node}: pids {@code 1000 + k} with {@code k mod nodes == node}. */
    static List<Integer> pidsOf(int node, int nodes, int tasks) {
        List<Integer> pids = new ArrayList<>();
        for (int k = node; k < tasks; k += nodes) {
            pids.add(1000 + k);
        }
        return pids;
    }

    private static int victim(int node, int nodes, int tasks, SplittableRandom random) {
        List<Integer> pids = pidsOf(node, nodes, tasks);
        return pids.isEmpty() ? 1000 : pids.get(random.nextInt(pids.size()));
    }

    private static ProgressEvent progress(int i, int node, SplittableRandom random) {
        int draw = random.nextInt(100);
        List<String> path;
        long stallMs = 0;
        int mayOom = 0;
        boolean failed = false;
        if (draw < 80) {
            path = List.of("fastpath:ok");
        } else if (draw < 90) {
            path = List.of("fastpath:fail", "slowpath:ok");
        } else if (draw < 96) {
            path = List.of("fastpath:fail", "reclaim:progress", "retry", "slowpath:ok");
            stallMs = 1 + random.nextInt(20);
        } else if (draw < 99) {
            path = List.of("fastpath:fail", "reclaim:none", "may_oom:killed", "retry", "slowpath:ok");
            stallMs = 5 + random.nextInt(50);
            mayOom = 1;
        } else {
            path = List.of("fastpath:fail", "reclaim:none", "nopage");
            stallMs = 10 + random.nextInt(50);
            failed = true;
        }
        int order = random.nextInt(10) < 8 ? 0 : 1 + random.nextInt(3);
        return ProgressEvent.newBuilder()
                .setRequestId("mix-" + i)
                .setNode(node)
                .setPid(1000 + random.nextInt(8))
                .setKind(OutcomeKind.ALLOC)
                .setSequence((long) i)
                .setPage(failed ? null : Page.newBuilder().setPfn(random.nextLong(MANAGED_PAGES)).setOrder(order)
                        .setNode(node).setZone(ZoneType.NORMAL).build())
                .setMayOomCalls(mayOom)
                .setPath(path)
                .setStallMs(stallMs)
                .build();
    }

    private static NodeState nodeState(int node, int nodes, int tasks, long sequence, SplittableRandom random) {
        long free = random.nextLong(MANAGED_PAGES / 8);
        List<Long> nrFree = new ArrayList<>(11);
        for (int order = 0; order <= 10; order++) {
            nrFree.add(random.nextLong(1 + (free >> order)));
        }
        List<TaskState> taskStates = new ArrayList<>();
        for (int pid : pidsOf(node, nodes, tasks)) {
            taskStates.add(TaskState.newBuilder().setPid(pid).setAlive(true).setMemdie(false).setKilled(false)
                    .setRssPages(1 + random.nextLong(4096)).build());
        }
        return NodeState.newBuilder()
                .setNode(node)
                .setSequence(sequence)
                .setProfile(Profile.SEED)
                .setMinFreeKbytes(65_536)
                .setTotalramPages(MANAGED_PAGES)
                .setZones(List.of(ZoneState.newBuilder().setZone(ZoneType.NORMAL).setManagedPages(MANAGED_PAGES)
                        .setFreePages(free).setNrFree(nrFree).setWatermarkMin(16_384).setWatermarkLow(20_480)
                        .setWatermarkHigh(24_576).setReclaimablePages(random.nextLong(MANAGED_PAGES / 4)).build()))
                .setTasks(taskStates)
                .build();
    }

    private static KillEvent kill(int i, int node, int nodes, int tasks, SplittableRandom random) {
        int victim = victim(node, nodes, tasks, random);
        List<KillCandidate> candidates = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            candidates.add(KillCandidate.newBuilder().setPid(c == 0 ? victim : 1000 + random.nextInt(tasks))
                    .setComm("task").setPoints(786_432L >> c).build());
        }
        return KillEvent.newBuilder()
                .setRequestId("mix-kill-" + i)
                .setVictimPid(victim)
                .setVictimComm("task")
                .setVictimUid(1000)
                .setChosenPid(victim)
                .setPoints(786_432)
                .setScore(912)
                .setTotalpages(MANAGED_PAGES * nodes)
                .setConstraint(OomConstraint.CONSTRAINT_NONE)
                .setNodemask(null)
                .setVictimRss(List.of(NodeRss.newBuilder().setNode(node).setAnonPages(393_216).setFilePages(1_024)
                        .build()))
                .setGfpMask(0x24000c0L)
                .setOrder(0)
                .setInvokingNode(node)
                .setInvokingPid(1000 + random.nextInt(8))
                .setInvokingComm("stress")
                .setLockToken(i)
                .setProfile(Profile.SEED)
                .setSignalled(List.of())
                .setCandidates(candidates)
                .setLog(List.of("stress invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0",
                        "Out of memory: Kill process " + victim + " (task) score 912 or sacrifice child",
                        "Killed process " + victim + " (task) total-vm:4194304kB, anon-rss:1572864kB"))
                .build();
    }

    private static <V> ProducerRecord<byte[], byte[]> record(TopicSpec<Integer, V> topic, int key, V value, long ts) {
        return new ProducerRecord<>(topic.name(), 0, ts, topic.keySerde().serializer().serialize(topic.name(), key),
                topic.valueSerde().serializer().serialize(topic.name(), value));
    }

    /** How many records of the mix go to each topic. */
    public Map<String, Long> perTopic() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        records.forEach(r -> counts.merge(r.topic(), 1L, Long::sum));
        return counts;
    }
}
