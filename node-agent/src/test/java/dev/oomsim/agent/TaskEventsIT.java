package dev.oomsim.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeRss;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskEventKind;
import dev.oomsim.schemas.TaskState;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tasks from outside producers on {@code task-events}, on a two-node machine run by two agents on a real broker: a
 * spawned task holds pages on both nodes, is the OOM victim of a request stamped after the spawn, and an exited one
 * gives its pages back on both nodes; bad records are dead-lettered once for the cluster.
 */
class TaskEventsIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Path MACHINE = Path.of("src", "test", "resources", "taskevents-2nodes-machine.yaml");
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    /** Two agents, one per node of the machine file, on fresh topics. */
    private record Cluster(Topics topics, NodeAgent node0, NodeAgent node1) implements AutoCloseable {
        static Cluster start(String name) {
            return startOn(KAFKA.uniqueTopic(name) + ".", Map.of());
        }

        /** Agents on the topics of {@code prefix} (created if new), with {@code extra} settings. */
        static Cluster startOn(String prefix, Map<String, String> extra) {
            Topics topics = new Topics(prefix, 2);
            new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
            return new Cluster(topics, agent(prefix, 0, extra).start(), agent(prefix, 1, extra).start());
        }

        private static NodeAgent agent(String prefix, int node, Map<String, String> extra) {
            Map<String, String> settings = NodeAgentIT.oneNodeAgent(KAFKA.bootstrapServers(), prefix, MACHINE);
            settings.put("node.id", String.valueOf(node));
            settings.put("nodes", "2");
            settings.putAll(extra);
            return new NodeAgent(new AgentConfig(settings));
        }

        @Override
        public void close() {
            node0.close();
            node1.close();
        }
    }

    @Test
    void aSpawnedTaskHoldsPagesOnBothNodesIsTheOomVictimAndAnExitGivesPagesBackOnBothNodes() throws Exception {
        try (Cluster cluster = Cluster.start("spawn");
                var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProps())) {
            Topics topics = cluster.topics();
            TaskEvent java = TaskEvent.newBuilder().setPid(2000).setKind(TaskEventKind.SPAWN).setComm("spawned-java")
                    .setUid(1000).setParent(1).setMmId(2000).setNrPtes(10).setTotalVm(6000)
                    .setRss(List.of(new NodeRss(0, 3000L, 0L), new NodeRss(1, 2000L, 0L))).build();
            TaskEvent helper = TaskEvent.newBuilder().setPid(2001).setKind(TaskEventKind.SPAWN).setComm("helper")
                    .setParent(1).setMmId(2001).setRss(List.of(new NodeRss(0, 200L, 0L), new NodeRss(1, 0L, 100L)))
                    .build();
            TaskEventsPosition.append(producer, topics, java);
            long spawned = TaskEventsPosition.append(producer, topics, helper);
            assertThat(TaskEventsPosition.committedEnd(KAFKA.admin(), topics)).isEqualTo(spawned);

            List<NodeState> atSpawn = snapshots(producer, topics, "spawned", spawned);
            for (NodeState s : atSpawn) {
                assertThat(s.getZones().get(0).getFreePages()).as("boot-time pages are not free pages").isEqualTo(8);
            }
            assertThat(rss(atSpawn, 2000)).containsExactly(3000L, 2000L);
            assertThat(rss(atSpawn, 2001)).containsExactly(200L, 100L);

            send(producer, topics, 0, spawned, AllocRequest.newBuilder().setRequestId("alloc").setOp(AllocOp.ALLOC)
                    .setPid(1000).setGfpMask(0x24000c0L).setOrder(0).setPreferredNode(0).build());
            ProgressEvent alloc = await().atMost(DEADLINE).until(() -> progress(topics, "alloc"), Optional::isPresent)
                    .get();
            assertThat(alloc.getPage()).isNotNull();
            assertThat(alloc.getPath()).contains("may_oom:oom");
            List<KillEvent> kills = readAll(topics.kills());
            assertThat(kills).singleElement().satisfies(k -> {
                assertThat(k.getVictimPid()).isEqualTo(2000);
                assertThat(k.getVictimComm()).isEqualTo("spawned-java");
                assertThat(k.getVictimUid()).isEqualTo(1000);
                assertThat(k.getPoints()).as("rss on both nodes + nr_ptes").isEqualTo(5010);
                assertThat(k.getVictimRss()).containsExactly(new NodeRss(0, 3000L, 0L), new NodeRss(1, 2000L, 0L));
                assertThat(k.getInvokingPid()).isEqualTo(1000);
            });

            List<NodeState> afterKill = snapshots(producer, topics, "killed", spawned);
            assertThat(rss(afterKill, 2000)).containsExactly(0L, 0L);
            assertThat(afterKill.get(0).getZones().get(0).getFreePages()).as("the allocation took one")
                    .isEqualTo(8 + 3000 - 1);
            assertThat(afterKill.get(1).getZones().get(0).getFreePages()).isEqualTo(8 + 2000);

            long exited = TaskEventsPosition.append(producer, topics,
                    TaskEvent.newBuilder().setPid(2001).setKind(TaskEventKind.EXIT).build());
            List<NodeState> afterExit = snapshots(producer, topics, "exited", exited);
            assertThat(rss(afterExit, 2001)).containsExactly(0L, 0L);
            assertThat(afterExit.get(0).getZones().get(0).getFreePages())
                    .isEqualTo(afterKill.get(0).getZones().get(0).getFreePages() + 200);
            assertThat(afterExit.get(1).getZones().get(0).getFreePages())
                    .isEqualTo(afterKill.get(1).getZones().get(0).getFreePages() + 100);

            List<TaskState> table0 = table(afterExit.get(0));
            assertThat(table0).as("both copies of the task table agree").isEqualTo(table(afterExit.get(1)));
            assertThat(table0).extracting(TaskState::getPid).containsExactly(1, 1000, 2000, 2001);
            assertThat(table0.get(2).getKilled()).isTrue();
            assertThat(table0.get(2).getAlive()).isFalse();
            assertThat(table0.get(3).getKilled()).isFalse();
            assertThat(table0.get(3).getAlive()).isFalse();
            assertThat(readAll(topics.deadLetter())).isEmpty();
        }
    }

    /**
     * Agents restarted from their snapshots still know the spawned tasks (the snapshot spawns them again, the kernel
     * image brings back their pages): the same node states as before the restart, and the same OOM victim afterwards.
     */
    @Test
    void agentsRestartedFromSnapshotsKeepTheSpawnedTasksAndTheirPages() throws Exception {
        String prefix = KAFKA.uniqueTopic("spawn-restart") + ".";
        Map<String, String> everyBatch = Map.of("snapshot.every.commands", "1");
        List<NodeState> before;
        long spawned;
        try (var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProps())) {
            Topics topics;
            try (Cluster cluster = Cluster.startOn(prefix, everyBatch)) {
                topics = cluster.topics();
                TaskEventsPosition.append(producer, topics, TaskEvent.newBuilder().setPid(2000)
                        .setKind(TaskEventKind.SPAWN)
                        .setComm("spawned-java").setUid(1000).setParent(1).setMmId(2000).setNrPtes(10)
                        .setRss(List.of(new NodeRss(0, 3000L, 0L), new NodeRss(1, 2000L, 0L))).build());
                spawned = TaskEventsPosition.append(producer, topics, TaskEvent.newBuilder().setPid(2000)
                        .setKind(TaskEventKind.ADJ_CHANGE).setOomScoreAdj(100).build());
                before = snapshots(producer, topics, "before", spawned);
            }
            try (Cluster restarted = Cluster.startOn(prefix, everyBatch)) {
                await().atMost(DEADLINE).until(() -> restarted.node0().isLive() && restarted.node1().isLive());
                assertThat(restarted.node0().replayFrom()).as("node 0 restored a snapshot").isPositive();
                assertThat(restarted.node1().replayFrom()).as("node 1 restored a snapshot").isPositive();
                List<NodeState> after = snapshots(producer, topics, "after", spawned);
                for (int n = 0; n < 2; n++) {
                    assertThat(after.get(n)).usingRecursiveComparison().ignoringFields("requestId", "sequence")
                            .isEqualTo(before.get(n));
                }
                send(producer, topics, 0, spawned, AllocRequest.newBuilder().setRequestId("alloc").setOp(AllocOp.ALLOC)
                        .setPid(1000).setGfpMask(0x24000c0L).setOrder(0).setPreferredNode(0).build());
                await().atMost(DEADLINE).until(() -> progress(topics, "alloc"), Optional::isPresent);
                assertThat(readAll(topics.kills())).singleElement().satisfies(k -> {
                    assertThat(k.getVictimPid()).isEqualTo(2000);
                    assertThat(k.getVictimRss()).containsExactly(new NodeRss(0, 3000L, 0L), new NodeRss(1, 2000L, 0L));
                });
                assertThat(readAll(topics.deadLetter())).isEmpty();
            }
        }
    }

    @Test
    void badTaskEventsAreDeadLetteredOnceForTheClusterWithTheirReasonAndTombstonesAreIgnored() throws Exception {
        try (Cluster cluster = Cluster.start("bad-task-events");
                var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProps())) {
            Topics topics = cluster.topics();
            TaskEvent spawn = TaskEvent.newBuilder().setPid(2000).setKind(TaskEventKind.SPAWN).setComm("spawned")
                    .setMmId(2000).setRss(List.of(new NodeRss(1, 50L, 0L))).build();
            TaskEventsPosition.append(producer, topics, spawn);
            TaskEventsPosition.append(producer, topics, spawn);
            TaskEventsPosition.append(producer, topics, TaskEvent.newBuilder().setPid(4242).setKind(TaskEventKind.EXIT)
                    .build());
            TaskEventsPosition.append(producer, topics, TaskEvent.newBuilder().setPid(2000)
                    .setKind(TaskEventKind.ADJ_CHANGE)
                    .setOomScoreAdj(5000).build());
            TopicSpec<Integer, TaskEvent> t = topics.taskEvents();
            producer.send(new ProducerRecord<>(t.name(), 0, t.keySerde().serializer().serialize(t.name(), 2001), null))
                    .get();
            long end = TaskEventsPosition.committedEnd(KAFKA.admin(), topics);

            // Once both nodes' snapshots stamped after the records are readable, so are their dead letters, if any.
            List<NodeState> states = snapshots(producer, topics, "after", end);

            assertThat(rss(states, 2000)).as("the good spawn applies").containsExactly(0L, 50L);
            assertThat(table(states.get(0))).isEqualTo(table(states.get(1)));
            List<DeadLetter> letters = readAll(topics.deadLetter());
            assertThat(letters).extracting(DeadLetter::getReason).containsExactly(
                    "duplicate pid 2000: the task table already has pid 2000 (spawned); pids are not reused",
                    "unknown pid 4242",
                    "oom_score_adj 5000 is outside -1000..1000");
            assertThat(letters).extracting(DeadLetter::getErrorClass)
                    .containsExactly("duplicate-pid", "unknown-pid", "invalid-adj");
            assertThat(letters).extracting(DeadLetter::getSourceOffset).containsExactly(1L, 2L, 3L);
            assertThat(letters).allSatisfy(d -> {
                assertThat(d.getSourceTopic()).isEqualTo(topics.taskEvents().name());
                assertThat(d.getService()).isEqualTo("node-agent-0");
            });
        }
    }

    /** A SNAPSHOT of each node stamped {@code stamp}, in node order, once both are on node-state. */
    private static List<NodeState> snapshots(KafkaProducer<byte[], byte[]> producer, Topics topics, String id,
            long stamp)
            throws Exception {
        for (int node = 0; node < 2; node++) {
            send(producer, topics, node, stamp, AllocRequest.newBuilder().setRequestId(id + "-" + node)
                    .setOp(AllocOp.SNAPSHOT)
                    .setPid(0).setGfpMask(0).setOrder(0).setPreferredNode(node).build());
        }
        return await().atMost(DEADLINE).until(() -> {
            List<NodeState> all = readAll(topics.nodeState());
            List<NodeState> found = List.of(0, 1).stream().flatMap(n -> all.stream()
                    .filter(s -> (id + "-" + n).equals(String.valueOf(s.getRequestId()))).findFirst().stream())
                    .toList();
            return found;
        }, found -> found.size() == 2);
    }

    /** The rss of {@code pid} on each node, in node order. */
    private static List<Long> rss(List<NodeState> states, int pid) {
        return states.stream().map(s -> s.getTasks().stream().filter(t -> t.getPid() == pid).findFirst().orElseThrow()
                .getRssPages()).toList();
    }

    /** A node's copy of the task table without its rss (which is per node). */
    private static List<TaskState> table(NodeState state) {
        return state.getTasks().stream().map(t -> TaskState.newBuilder(t).setRssPages(0).build()).toList();
    }

    private static Optional<ProgressEvent> progress(Topics topics, String requestId) {
        return readAll(topics.progress()).stream().filter(p -> p.getRequestId().equals(requestId)).findFirst();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Topics topics, int node, long stamp,
            AllocRequest r)
            throws Exception {
        TopicSpec<Integer, NodeCommand> t = topics.allocRequests();
        NodeCommand c = NodeCommand.newBuilder().setCommandId(r.getRequestId()).setOrigin(-1).setTaskEventsOffset(stamp)
                .setBody(r).build();
        producer.send(new ProducerRecord<>(t.name(), node, t.keySerde().serializer().serialize(t.name(), node),
                t.valueSerde().serializer().serialize(t.name(), c))).get();
    }

    private static <V> List<V> readAll(TopicSpec<?, V> topic) {
        return KAFKA.readAll(topic.name()).stream()
                .map(r -> topic.valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
    }
}
