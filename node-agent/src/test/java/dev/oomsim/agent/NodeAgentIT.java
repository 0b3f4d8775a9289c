package dev.oomsim.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.LockAcquired;
import dev.oomsim.schemas.MemoryCall;
import dev.oomsim.schemas.MemoryOp;
import dev.oomsim.schemas.MemoryReply;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskStatus;
import dev.oomsim.schemas.TaskSync;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The node agent as a service on a real broker: health, metrics, and the bad-input matrix going to dead-letter. */
class NodeAgentIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesRequestsSendsEveryBadInputToDeadLetterWithItsReasonAndKeepsGoing() throws Exception {
        String prefix = KAFKA.uniqueTopic("agent") + ".";
        Topics topics = new Topics(prefix, 1);
        Map<String, String> settings = oneNodeAgent(KAFKA.bootstrapServers(), prefix,
                Path.of("..", "scenarios", "1-node-child-sacrifice.yaml"));

        try (NodeAgent agent = new NodeAgent(new AgentConfig(settings)).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> get(agent, "/health").statusCode() == 200);
            assertThat(get(agent, "/health").body()).contains("\"status\":\"UP\"").contains("\"node\":0");

            try (var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProps())) {
                send(producer, topics, request("bad-order", AllocOp.ALLOC, 1000, 0x24000c0L, 12, 0));
                send(producer, topics, request("bad-node", AllocOp.ALLOC, 1000, 0x24000c0L, 0, 3));
                send(producer, topics, request("bad-pid", AllocOp.ALLOC, 4242, 0x24000c0L, 0, 0));
                send(producer, topics, request("bad-gfp", AllocOp.ALLOC, 1000, 0x5L, 0, 0));
                send(producer, topics, request("bad-free", AllocOp.FREE, 1000, 0, 0, 0));
                producer.send(new ProducerRecord<>(topics.allocRequests().name(), 0, null, "not avro".getBytes(UTF_8)))
                        .get();
                send(producer, topics, request("good", AllocOp.ALLOC, 1000, 0x24000c0L, 0, 0));
                send(producer, topics, request("exit-102", AllocOp.EXIT, 102, 0, 0, 0));
                send(producer, topics, request("dead-pid", AllocOp.ALLOC, 102, 0x24000c0L, 0, 0));
                byte[] wrongType = topics.deadLetter().valueSerde().serializer().serialize("x", DeadLetter.newBuilder()
                        .setSourceTopic("x").setSourcePartition(0).setSourceOffset(0).setReason("r").build());
                producer.send(new ProducerRecord<>(topics.allocRequests().name(), 0, null, wrongType)).get();
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> readAll(topics.progress()).size() == 2);
            // "good" finds the node short of memory: it suspends at oom_lock until its journaled lock result comes
            // back through the command log, so "exit-102" (behind it in the log) may report first.
            ProgressEvent good = readAll(topics.progress()).stream().filter(p -> p.getRequestId().equals("good"))
                    .findFirst().orElseThrow();
            assertThat(good.getPage()).isNotNull();
            assertThat(good.getPath()).contains("may_oom:oom");

            await().atMost(Duration.ofSeconds(30)).until(() -> readAll(topics.deadLetter()).size() == 8);
            List<String> reasons = readAll(topics.deadLetter()).stream().map(DeadLetter::getReason).toList();
            assertThat(reasons).satisfiesExactly(
                    r -> assertThat(r).isEqualTo("order 12 is outside 0..10"),
                    r -> assertThat(r).isEqualTo("request for node 3 reached node 0"),
                    r -> assertThat(r).isEqualTo("unknown pid 4242"),
                    r -> assertThat(r).startsWith("invalid gfp 0x5: "),
                    r -> assertThat(r).isEqualTo("a FREE request needs a pfn"),
                    r -> assertThat(r).startsWith("cannot decode NodeCommand: not single object encoded"),
                    r -> assertThat(r).isEqualTo("pid 102 has exited"),
                    r -> assertThat(r)
                    .startsWith("cannot decode NodeCommand: wrong event type (the record is a DeadLetter)"));
            assertThat(readAll(topics.deadLetter())).allSatisfy(d -> {
                assertThat(d.getSourceTopic()).isEqualTo(topics.allocRequests().name());
                assertThat(d.getService()).isEqualTo("node-agent-0");
            });

            String metrics = get(agent, "/metrics").body();
            assertThat(metrics)
                    .contains("oomsim_dead_letters_total{reason=\"invalid-order\",service=\"node-agent-0\"} 1.0");
            assertThat(metrics).contains("oomsim_agent_commands_total{mode=\"live\",node=\"0\"} 11.0");
            assertThat(metrics).contains("kafka_producer_");
            assertThat(metrics).contains("oomsim_agent_requests_total{node=\"0\",op=\"ALLOC\"} 1.0");
            assertThat(metrics)
                    .contains("oomsim_agent_outcomes_total{end=\"slowpath:min:ok\",kind=\"alloc\",node=\"0\"} 1.0");
            assertThat(metrics).contains("oomsim_agent_kills_total{constraint=\"CONSTRAINT_NONE\",node=\"0\"} 1.0");
            assertThat(metrics).contains("oomsim_agent_lock_wait_seconds_count{granted=\"true\",node=\"0\"} 1");
        }
    }

    @Test
    void killApplicationsDecidedUnderAStaleLockTokenGoToDeadLetterAndChangeNothing() throws Exception {
        String prefix = KAFKA.uniqueTopic("fencing") + ".";
        Topics topics = new Topics(prefix, 1);
        Map<String, String> settings = oneNodeAgent(KAFKA.bootstrapServers(), prefix,
                Path.of("..", "scenarios", "1-node-child-sacrifice.yaml"));

        try (NodeAgent agent = new NodeAgent(new AgentConfig(settings)).start();
                var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProps())) {
            // Another node acquired oom_lock with token 50; a zombie holder of token 7 then tries to apply its kill.
            send(producer, topics, "acquired", LockAcquired.newBuilder().setNode(1).setToken(50).build());
            send(producer, topics, "zombie-release", release(104, 7));
            send(producer, topics, "zombie-sync", TaskSync.newBuilder().setRequestId("zombie").setLockToken(7)
                    .setTasks(List.of(TaskStatus.newBuilder().setPid(104).setAlive(false).setKilled(true)
                            .setSigkillPending(true).setFlags(List.of()).setOomScoreAdj(0).setInterleaveNext(-1)
                            .setHasMm(false).setMmOomSkip(false).build()))
                    .build());
            send(producer, topics, "orphan", MemoryReply.newBuilder().setRequestId("nobody").setCallId(3).setNode(1)
                    .build());
            send(producer, topics, request("after-zombie", AllocOp.SNAPSHOT, 0, 0, 0, 0));
            send(producer, topics, "current-release", release(104, 50));
            send(producer, topics, request("after-current", AllocOp.SNAPSHOT, 0, 0, 0, 0));

            await().atMost(Duration.ofSeconds(30)).until(() -> requested(topics).size() == 2);
            List<NodeState> states = requested(topics);
            assertThat(rssOf(states.get(0), 104)).as("the stale release freed nothing").isEqualTo(900);
            assertThat(states.get(0).getTasks().stream().filter(t -> t.getPid() == 104).findFirst().orElseThrow()
                    .getAlive())
                    .as("the stale task change was not applied").isTrue();
            assertThat(rssOf(states.get(1), 104)).as("the current holder's release applies").isZero();
            assertThat(states.get(1).getZones().get(0).getFreePages())
                    .isEqualTo(states.get(0).getZones().get(0).getFreePages() + 900);
            assertThat(readAll(topics.nodeState()))
                    .as("the applied kill release is reported with the freed pages, once")
                    .filteredOn(s -> s.getRequestId().toString().endsWith("/freed/0")).singleElement()
                    .satisfies(s -> assertThat(s.getZones().get(0).getFreePages())
                            .isEqualTo(states.get(1).getZones().get(0).getFreePages()));

            List<String> reasons = readAll(topics.deadLetter()).stream().map(DeadLetter::getReason).toList();
            assertThat(reasons).containsExactly(
                    "stale fencing token 7: node 0 has seen oom_lock acquired with token 50; release of mm 104's "
                    + "pages not applied",
                    "stale fencing token 7: node 0 has seen oom_lock acquired with token 50; task changes of request "
                    + "zombie not applied",
                    "no request nobody waits for the reply to call 3");
        }
    }

    /** The node states asked for by SNAPSHOT requests ({@code after-*}), in order. */
    private static List<NodeState> requested(Topics topics) {
        return readAll(topics.nodeState()).stream().filter(s -> s.getRequestId().toString().startsWith("after-"))
                .toList();
    }

    private static MemoryCall release(int mm, long token) {
        return MemoryCall.newBuilder().setRequestId("kill").setCallId(0).setReplyTo(1).setOp(MemoryOp.RELEASE_MM)
                .setMm(mm)
                .setLockToken(token).build();
    }

    private static long rssOf(NodeState state, int pid) {
        return state.getTasks().stream().filter(t -> t.getPid() == pid).findFirst().orElseThrow().getRssPages();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Topics topics, String id,
            Object body) throws Exception {
        TopicSpec<Integer, NodeCommand> t = topics.allocRequests();
        NodeCommand c = NodeCommand.newBuilder().setCommandId(id).setOrigin(1).setBody(body).build();
        producer.send(new ProducerRecord<>(t.name(), 0, t.keySerde().serializer().serialize(t.name(), 0),
                t.valueSerde().serializer().serialize(t.name(), c))).get();
    }

    /** Settings of the agent of a one-node machine on {@code bootstrapServers}, metrics on any free port. */
    static Map<String, String> oneNodeAgent(String bootstrapServers, String topicPrefix, Path machine) {
        Map<String, String> settings = new HashMap<>();
        settings.put("node.id", "0");
        settings.put("nodes", "1");
        settings.put("bootstrap.servers", bootstrapServers);
        settings.put("topic.prefix", topicPrefix);
        settings.put("machine.file", machine.toString());
        settings.put("metrics.port", "0");
        settings.put("poll.timeout.ms", "20");
        return settings;
    }

    private HttpResponse<String> get(NodeAgent agent, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.metricsPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static AllocRequest request(String id, AllocOp op, int pid, long gfp, int order, int node) {
        return AllocRequest.newBuilder().setRequestId(id).setOp(op).setPid(pid).setGfpMask(gfp).setOrder(order)
                .setPreferredNode(node).build();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Topics topics, AllocRequest r) throws Exception {
        TopicSpec<Integer, NodeCommand> t = topics.allocRequests();
        NodeCommand c = NodeCommand.newBuilder().setCommandId(r.getRequestId()).setOrigin(-1).setBody(r).build();
        producer.send(new ProducerRecord<>(t.name(), 0, t.keySerde().serializer().serialize(t.name(), 0),
                t.valueSerde().serializer().serialize(t.name(), c))).get();
    }

    private static <V> List<V> readAll(TopicSpec<?, V> topic) {
        return KAFKA.readAll(topic.name()).stream()
                .map(r -> topic.valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
    }
}
