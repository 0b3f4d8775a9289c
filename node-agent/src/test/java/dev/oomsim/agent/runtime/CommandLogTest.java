package dev.oomsim.agent.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeSnapshot;
import dev.oomsim.schemas.OutcomeKind;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The exactly-once loop over Kafka's {@link MockConsumer} and {@link MockProducer} (through
 * {@link CommandLog.Clients}): the order commands reach the handler, what one transaction holds, dead letters, and
 * the replay of a restart. The loop runs on the test thread and is closed from the command consumer's poll once the
 * log is consumed.
 */
class CommandLogTest {

    private static final String GROUP = "t.agent-0";

    private final Topics topics = new Topics("t.", 1);
    private final TopicSpec<Integer, NodeCommand> commands = topics.allocRequests();
    private final TopicPartition own = new TopicPartition(commands.name(), 0);
    private final TopicPartition taskPartition = new TopicPartition(topics.taskEvents().name(), 0);
    private final TopicPartition snapshotPartition = new TopicPartition(topics.nodeSnapshots().name(), 0);
    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    /** The node's command log (partition 0 of alloc-requests) and its snapshots, as the broker holds them. */
    private final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
    private final List<ConsumerRecord<byte[], byte[]>> snapshots = new ArrayList<>();
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final PartitionConsumer commandConsumer = new PartitionConsumer(own, log);
    private final TraceHandler handler = new TraceHandler();
    private CommandLog loop;

    @Test
    void handlesTheLogInOffsetOrderAndCommitsItsOutputWithTheOffsetsInOneTransaction() {
        append(command("r0", 100));
        appendBytes("garbage".getBytes(UTF_8));
        append(command("r2", 200));
        append(command("r3", 300));

        runToEndOfLog();

        assertThat(handler.trace).containsExactly("live r0 @0", "live r2 @2", "live r3 @3",
                "after r0: transaction 1 committed", "after r2: transaction 1 committed",
                "after r3: transaction 1 committed");
        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(producer.consumerGroupOffsetsHistory())
                .as("the offsets consumed committed in the transaction that holds the outputs")
                .containsExactly(Map.of(GROUP, Map.of(own, new OffsetAndMetadata(4))));
        assertThat(producer.uncommittedRecords()).isEmpty();
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly(topics.progress().name(),
                topics.deadLetter().name(), topics.progress().name(), topics.progress().name());
        assertThat(progress()).containsExactly("r0", "r2", "r3");
        assertThat(loop.lastCommittedOffset()).isEqualTo(4);
        assertThat(loop.isLive()).isTrue();
    }

    @Test
    void aRecordThatDoesNotDecodeGoesToDeadLetterWithItsReasonAndTheLogGoesOn() {
        append(command("before", 1));
        appendBytes("garbage".getBytes(UTF_8));
        appendBytes(null);
        append(command("after", 2));

        runToEndOfLog();

        assertThat(handler.trace).containsExactly("live before @0", "live after @3",
                "after before: transaction 1 committed", "after after: transaction 1 committed");
        List<DeadLetter> letters = deadLetters();
        assertThat(letters).satisfiesExactly(d -> {
            assertThat(d.getReason()).startsWith("cannot decode NodeCommand: not single object encoded");
            assertThat(d.getSourceTopic()).isEqualTo(commands.name());
            assertThat(d.getSourceOffset()).isEqualTo(1);
            assertThat(d.getService()).isEqualTo("node-agent-0");
            assertThat(d.getTimestampMs()).as("the loop's clock").isEqualTo(clock.wallTime());
        }, d -> {
            assertThat(d.getReason()).isEqualTo("a command log record has no value");
            assertThat(d.getSourceOffset()).isEqualTo(2);
        });
        assertThat(progress()).containsExactly("before", "after");
        assertThat(registry.get("oomsim.dead.letters").tag("reason", "undecodable").counter().count()).isEqualTo(2);
    }

    @Test
    void aRestartReplaysTheCommittedLogWithOutputSwitchedOffThenGoesLive() {
        append(command("r0", 1));
        append(command("r1", 2));
        append(command("r2", 3));
        commitAsTheLastRunDid(2);

        runToEndOfLog();

        assertThat(handler.previewed).as("the whole committed log, before the replay").containsExactly(0L, 1L, 2L);
        assertThat(handler.trace).as("actions after the commit are dropped in a replay too")
                .containsExactly("replay r0 @0", "replay r1 @1", "live r2 @2", "after r2: transaction 1 committed");
        assertThat(progress()).as("replayed commands' outputs were committed by the run that handled them")
                .containsExactly("r2");
        assertThat(producer.consumerGroupOffsetsHistory())
                .containsExactly(Map.of(GROUP, Map.of(own, new OffsetAndMetadata(3))));
        assertThat(loop.replayFrom()).isZero();
        assertThat(loop.replayUntil()).as("the previous run's committed offset").isEqualTo(2);
        assertThat(registry.get("oomsim.agent.commands").tag("mode", "replay").counter().count()).isEqualTo(2);
        assertThat(registry.get("oomsim.agent.commands").tag("mode", "live").counter().count()).isEqualTo(1);
    }

    @Test
    void aRestartRestoresTheNewestSnapshotAndReplaysOnlyTheLogAfterIt() {
        append(command("r0", 1));
        append(command("r1", 2));
        append(command("r2", 3));
        commitAsTheLastRunDid(2);
        snapshot(0);
        snapshot(1);

        runToEndOfLog();

        assertThat(handler.restored).as("the newest one").containsExactly(1L);
        assertThat(handler.previewed).containsExactly(1L, 2L);
        assertThat(handler.trace).containsExactly("replay r1 @1", "live r2 @2", "after r2: transaction 1 committed");
        assertThat(progress()).containsExactly("r2");
        assertThat(loop.replayFrom()).isEqualTo(1);
        assertThat(loop.replayUntil()).isEqualTo(2);
    }

    /** Runs the loop on this thread until the command consumer has handed out the whole log. */
    private void runToEndOfLog() {
        loop = new CommandLog(new CommandLog.Settings("mock:9092", topics, 0, Duration.ofMillis(1), "node-agent-0"),
                handler, registry, new Clients(), clock);
        handler.producer = producer;
        loop.run();
        assertThat(producer.closed()).isTrue();
    }

    /** The offsets a previous run committed: the consumer group's position when the loop starts. */
    private void commitAsTheLastRunDid(long offset) {
        // MockConsumer reports a committed offset only for an assigned partition (the loop assigns it after asking).
        commandConsumer.assign(List.of(own));
        commandConsumer.commitSync(Map.of(own, new OffsetAndMetadata(offset)));
    }

    private void append(NodeCommand command) {
        appendBytes(commands.valueSerde().serializer().serialize(commands.name(), command));
    }

    private void appendBytes(byte[] value) {
        log.add(new ConsumerRecord<>(commands.name(), 0, log.size(), null, value));
    }

    private void snapshot(long commandOffset) {
        TopicSpec<Integer, NodeSnapshot> t = topics.nodeSnapshots();
        NodeSnapshot s = NodeSnapshot.newBuilder().setNode(0).setCommandOffset(commandOffset).setTaskEventsOffset(0)
                .setRequestStops(0).setKernelFormat(1).setKernel(ByteBuffer.wrap(new byte[0])).build();
        snapshots.add(new ConsumerRecord<>(t.name(), 0, snapshots.size(), t.keySerde().serializer().serialize(t.name(),
                0), t.valueSerde().serializer().serialize(t.name(), s)));
    }

    private static NodeCommand command(String id, int pid) {
        return NodeCommand.newBuilder().setCommandId(id).setOrigin(-1).setBody(AllocRequest.newBuilder()
                .setRequestId(id).setOp(AllocOp.ALLOC).setPid(pid).setGfpMask(0x24000c0L).setOrder(0)
                .setPreferredNode(0).build()).build();
    }

    /** The request ids of the progress events committed, in order. */
    private List<String> progress() {
        TopicSpec<Integer, ProgressEvent> t = topics.progress();
        return producer.history().stream().filter(r -> r.topic().equals(t.name()))
                .map(r -> t.valueSerde().deserializer().deserialize(t.name(), r.value()).getRequestId().toString())
                .toList();
    }

    private List<DeadLetter> deadLetters() {
        TopicSpec<?, DeadLetter> t = topics.deadLetter();
        return producer.history().stream().filter(r -> r.topic().equals(t.name()))
                .map(r -> t.valueSerde().deserializer().deserialize(t.name(), r.value())).toList();
    }

    /**
     * A {@link MockConsumer} over one partition whose records it holds like a broker: every poll offers them all again
     * from the position (a MockConsumer hands a record out once, and the loop reads its log twice on a restart: the
     * preview, then the replay). The command consumer closes the loop when asked to poll past the log's end.
     */
    private final class PartitionConsumer extends MockConsumer<byte[], byte[]> {
        private final TopicPartition partition;
        private final List<ConsumerRecord<byte[], byte[]>> records;

        PartitionConsumer(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
            super("earliest");
            this.partition = partition;
            this.records = records;
            updateBeginningOffsets(Map.of(partition, 0L));
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            if (assignment().contains(partition)) {
                if (partition.equals(own) && position(partition) >= records.size()) {
                    loop.close();
                }
                records.forEach(this::addRecord);
            }
            return super.poll(timeout);
        }

        @Override
        public synchronized Map<TopicPartition, Long> endOffsets(java.util.Collection<TopicPartition> partitions) {
            updateEndOffsets(Map.of(partition, (long) records.size()));
            return super.endOffsets(partitions);
        }
    }

    /** The loop's clients: the command consumer (the one in a group), the task-events one, the snapshot reader. */
    private final class Clients implements CommandLog.Clients {
        @Override
        public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
            if (config.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
                assertThat(config).containsEntry(ConsumerConfig.GROUP_ID_CONFIG, GROUP)
                        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                return commandConsumer;
            }
            String clientId = (String) config.get(ConsumerConfig.CLIENT_ID_CONFIG);
            return clientId.endsWith("-snapshots") ? new PartitionConsumer(snapshotPartition, snapshots)
                    : new PartitionConsumer(taskPartition, List.of());
        }

        @Override
        public org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer(Map<String, Object> config) {
            assertThat(config).containsEntry("transactional.id", GROUP);
            return producer;
        }
    }

    /** Traces what it is given, reports one progress event per command, and and an action after the commit of each. */
    private final class TraceHandler implements CommandHandler {
        final List<String> trace = new ArrayList<>();
        final List<Long> previewed = new ArrayList<>();
        final List<Long> restored = new ArrayList<>();
        MockProducer<byte[], byte[]> producer;

        @Override
        public void applyTaskEvent(TaskEvent event, long offset, CommandOutput out) {
            trace.add("task " + event.getPid() + " @" + offset);
        }

        @Override
        public void handle(NodeCommand command, long offset, CommandOutput out) {
            AllocRequest request = (AllocRequest) command.getBody();
            trace.add((out.replaying() ? "replay " : "live ") + request.getRequestId() + " @" + offset);
            out.send(topics.progress(), 0, ProgressEvent.newBuilder().setRequestId(request.getRequestId()).setNode(0)
                    .setPid(request.getPid()).setKind(OutcomeKind.ALLOC).build());
            String id = request.getRequestId().toString();
            out.afterCommit(() -> trace.add("after " + id + ": transaction " + producer.commitCount() + " committed"));
        }

        @Override
        public void preview(NodeCommand command, long offset) {
            previewed.add(offset);
        }

        @Override
        public void restore(NodeSnapshot snapshot) {
            restored.add(snapshot.getCommandOffset());
        }
    }
}
