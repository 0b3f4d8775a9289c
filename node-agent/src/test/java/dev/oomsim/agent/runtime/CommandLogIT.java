package dev.oomsim.agent.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.OutcomeKind;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskEventKind;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The agent's exactly-once loop on a real broker: ordered fold, task-event stamps, dead letters, replay on restart. */
class CommandLogIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    /** Folds what it sees into a trace and reports one progress event per live command. */
    static final class TraceHandler implements CommandHandler {
        final List<String> trace = Collections.synchronizedList(new ArrayList<>());
        final Topics topics;

        TraceHandler(Topics topics) {
            this.topics = topics;
        }

        @Override
        public void applyTaskEvent(TaskEvent event, long offset, CommandOutput out) {
            trace.add("task " + event.getPid() + " " + event.getKind() + " @" + offset);
        }

        @Override
        public void handle(NodeCommand command, long offset, CommandOutput out) {
            AllocRequest request = (AllocRequest) command.getBody();
            trace.add("command " + request.getRequestId() + " @" + offset);
            out.send(topics.progress(), 0, ProgressEvent.newBuilder()
                    .setRequestId(request.getRequestId()).setNode(0).setPid(request.getPid()).setKind(OutcomeKind.ALLOC)
                    .build());
        }
    }

    @Test
    void foldsCommandsAfterTheTaskEventsTheyHadSeenDeadLettersGarbageAndReplaysExactlyOnRestart() throws Exception {
        Topics topics = new Topics(KAFKA.uniqueTopic("agent") + ".", 2);
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
        CommandLog.Settings settings = new CommandLog.Settings(KAFKA.bootstrapServers(), topics, 0,
                Duration.ofMillis(50), "node-agent-0");

        try (var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProps())) {
            send(producer, topics.taskEvents(), 100, spawn(100));
            send(producer, topics.allocRequests(), 0, alloc("r1", 100, 1));
            producer.send(new ProducerRecord<>(topics.allocRequests().name(), 0, null, "garbage".getBytes(UTF_8)))
                    .get();
            send(producer, topics.taskEvents(), 200, spawn(200));
            send(producer, topics.allocRequests(), 0, alloc("r2", 200, 2));
        }

        TraceHandler first = new TraceHandler(topics);
        CommandLog loop = new CommandLog(settings, first, new SimpleMeterRegistry());
        Thread thread = new Thread(loop, "command-log-test");
        thread.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> readAll(topics.progress()).size() == 2);
        loop.close();
        thread.join(10_000);

        assertThat(first.trace)
                .containsExactly("task 100 SPAWN @0", "command r1 @0", "task 200 SPAWN @1", "command r2 @2");
        List<DeadLetter> letters = readAll(topics.deadLetter());
        assertThat(letters).singleElement().satisfies(d -> {
            assertThat(d.getSourceTopic()).isEqualTo(topics.allocRequests().name());
            assertThat(d.getSourcePartition()).isEqualTo(0);
            assertThat(d.getSourceOffset()).isEqualTo(1);
            assertThat(d.getReason()).startsWith("cannot decode NodeCommand: not single object encoded");
            assertThat(d.getService()).isEqualTo("node-agent-0");
        });

        // A restarted agent replays the log with output off, then serves the next command live.
        try (var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProps())) {
            send(producer, topics.allocRequests(), 0, alloc("r3", 100, 2));
        }
        TraceHandler second = new TraceHandler(topics);
        CommandLog restarted = new CommandLog(settings, second, new SimpleMeterRegistry());
        Thread thread2 = new Thread(restarted, "command-log-test-2");
        thread2.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> readAll(topics.progress()).size() >= 3);
        await().atMost(Duration.ofSeconds(10)).until(restarted::isLive);
        restarted.close();
        thread2.join(10_000);

        assertThat(second.trace)
                .containsExactly("task 100 SPAWN @0", "command r1 @0", "task 200 SPAWN @1", "command r2 @2",
                "command r3 @3");
        assertThat(readAll(topics.progress())).extracting(ProgressEvent::getRequestId)
                .containsExactly("r1", "r2", "r3");
        assertThat(readAll(topics.deadLetter())).hasSize(1);
    }

    private static TaskEvent spawn(int pid) {
        return TaskEvent.newBuilder().setPid(pid).setKind(TaskEventKind.SPAWN).setComm("t" + pid).build();
    }

    private static NodeCommand alloc(String id, int pid, long taskEventsOffset) {
        return NodeCommand.newBuilder().setCommandId(id).setOrigin(-1).setTaskEventsOffset(taskEventsOffset)
                .setBody(AllocRequest.newBuilder().setRequestId(id).setOp(AllocOp.ALLOC).setPid(pid)
                        .setGfpMask(0x24000c0L).setOrder(0).setPreferredNode(0).build())
                .build();
    }

    private static <K,
            V> void send(KafkaProducer<byte[], byte[]> producer, TopicSpec<K, V> topic, K key,
            V value) throws Exception {
        Integer partition = key instanceof Integer && topic.name().endsWith("alloc-requests") ? (Integer) key : null;
        producer.send(new ProducerRecord<>(topic.name(), partition,
                topic.keySerde().serializer().serialize(topic.name(), key),
                topic.valueSerde().serializer().serialize(topic.name(), value))).get();
    }

    private static <V> List<V> readAll(TopicSpec<?, V> topic) {
        return KAFKA.readAll(topic.name()).stream()
                .map(r -> topic.valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
    }
}
