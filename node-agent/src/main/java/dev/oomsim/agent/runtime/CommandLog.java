package dev.oomsim.agent.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeSnapshot;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.serde.EventDecodingException;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.service.DeadLetterCategory;
import dev.oomsim.service.DeadLetters;
import dev.oomsim.service.RejectReason;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once loop of one node agent (docs/node-agent-design.md): it consumes the node's command log
 * (partition n of {@code alloc-requests}), applies {@code task-events} up to each command's stamp, hands both to
 * the {@link CommandHandler}, and commits everything the handler sent together with the consumed offsets in one
 * Kafka transaction per poll batch.
 *
 * <p>On start it restores the handler from the node's newest snapshot on {@code node-snapshots} (if any) and replays
 * the command log from the snapshot's offset (else from 0) up to the committed offset with output switched off, so the
 * handler's node is rebuilt exactly as the uninterrupted run left it; then it goes live. Every
 * {@link Settings#snapshotEvery} commands, at the first batch end with nothing in flight, the handler's snapshot is
 * written in the transaction that commits the offsets it covers, so a restart's replay stays bounded. Before the replay
 * the handler {@linkplain CommandHandler#preview previews} the log to its end, for what it journaled after the replayed
 * range. When the replay is over, before the first live command, the handler may find that the replay left it in a
 * state the new incarnation cannot continue from ({@link CommandHandler#goLive}: a request holding an {@code oom_lock}
 * grant the restart withdrew); it journals why, and the loop restarts the fold from a fresh handler, whose replay
 * reads that journal. A second incarnation with the same node id fences this one
 * ({@code transactional.id = <prefix>agent-<n>}).
 *
 * <p>Bad input (undecodable bytes, another event type) goes to dead-letter with its source and reason, once.
 * One thread runs {@link #run()}; {@link #close()} may be called from any thread.
 */
public final class CommandLog implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandLog.class);

    /** Commands between two snapshots unless configured: a restart replays at most about this many. */
    public static final long DEFAULT_SNAPSHOT_EVERY = 10_000;

    /**
     * How a loop connects, and how often it snapshots its handler: at the first moment nothing is in flight after
     * {@code snapshotEvery} commands (0: never).
     */
    public record Settings(String bootstrapServers, Topics topics, int nodeId, Duration pollTimeout, String service,
                           long snapshotEvery) {
        public Settings {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(topics, "topics");
            if (nodeId < 0 || nodeId >= topics.nodes()) {
                throw new IllegalArgumentException("nodeId must be 0.." + (topics.nodes() - 1) + ", was " + nodeId);
            }
            Objects.requireNonNull(pollTimeout, "pollTimeout");
            Objects.requireNonNull(service, "service");
            if (snapshotEvery < 0) {
                throw new IllegalArgumentException("snapshotEvery must be >= 0 (0: never), was " + snapshotEvery);
            }
        }

        public Settings(String bootstrapServers, Topics topics, int nodeId, Duration pollTimeout, String service) {
            this(bootstrapServers, topics, nodeId, pollTimeout, service, DEFAULT_SNAPSHOT_EVERY);
        }

        String transactionalId() {
            return topics.prefix() + "agent-" + nodeId;
        }

        String groupId() {
            return topics.prefix() + "agent-" + nodeId;
        }
    }

    private final Settings settings;
    /** Makes a fresh handler: the first fold's, and another each time {@link CommandHandler#goLive} asks for one. */
    private final Supplier<? extends CommandHandler> handlers;
    private CommandHandler handler;
    /** Whether the handler has been asked to {@linkplain CommandHandler#goLive go live} since the fold started. */
    private boolean wentLive;
    private final DeadLetters deadLetters;
    private final TopicSpec<Integer, NodeCommand> commands;
    private final TopicSpec<Integer, TaskEvent> taskEvents;
    private final TopicSpec<Integer, NodeSnapshot> snapshots;
    private final TopicPartition ownPartition;
    private final TopicPartition taskPartition;
    private final Clients clients;
    private final Clock clock;
    private final Consumer<byte[], byte[]> consumer;
    private final Consumer<byte[], byte[]> taskConsumer;
    private final Producer<byte[], byte[]> producer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Counter commandsHandled;
    private final Counter commandsReplayed;
    private final Timer commitTimer;
    private final Counter snapshotsWritten;
    private final List<KafkaClientMetrics> clientMetrics;

    /** Where the replay ends and live commands begin: the group's committed offset when the loop started. */
    private volatile long replayUntil;
    /** Commands handled since the last snapshot (or the start). */
    private long sinceSnapshot;
    /** Where the replay started: the restored snapshot's command offset, else 0. */
    private volatile long replayFrom;
    private volatile boolean live;
    private volatile long lastCommittedOffset = -1;

    /**
     * Makes the log's Kafka clients from their settings: Kafka's own clients in a service, Kafka's
     * {@code MockConsumer}/{@code MockProducer} in a broker-free test.
     */
    public interface Clients {
        /** Kafka's own clients. */
        Clients KAFKA = new Clients() {
            @Override
            public Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
                return new KafkaConsumer<>(config);
            }

            @Override
            public Producer<byte[], byte[]> producer(Map<String, Object> config) {
                return new KafkaProducer<>(config);
            }
        };

        /** A consumer with {@code config} (the command log's, the task-events', or the snapshot reader's). */
        Consumer<byte[], byte[]> consumer(Map<String, Object> config);

        /** The transactional producer with {@code config}. */
        Producer<byte[], byte[]> producer(Map<String, Object> config);
    }

    /** A log over Kafka's clients whose time is {@code registry}'s clock (the one its commit timer reads). */
    public CommandLog(Settings settings, CommandHandler handler, MeterRegistry registry) {
        this(settings, handler, registry, Clients.KAFKA, registry.config().clock());
    }

    /**
     * A log over Kafka's clients whose handler comes from {@code handlers}, asked again for a fresh one whenever the
     * fold must restart ({@link CommandHandler#goLive}).
     */
    public CommandLog(Settings settings, Supplier<? extends CommandHandler> handlers, MeterRegistry registry) {
        this(settings, handlers, registry, Clients.KAFKA, registry.config().clock());
    }

    /**
     * A log whose clients come from {@code clients} and whose only time source is {@code clock} (the wall time of the
     * dead letters it sends).
     */
    public CommandLog(Settings settings, CommandHandler handler, MeterRegistry registry, Clients clients, Clock clock) {
        this(settings, only(Objects.requireNonNull(handler, "handler")), registry, clients, clock);
    }

    /**
     * A log whose handlers come from {@code handlers}, its clients from {@code clients}, its time from {@code clock}.
     */
    public CommandLog(Settings settings, Supplier<? extends CommandHandler> handlers, MeterRegistry registry,
            Clients clients, Clock clock) {
        this.settings = settings;
        this.clients = Objects.requireNonNull(clients, "clients");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.handlers = Objects.requireNonNull(handlers, "handlers");
        this.commands = settings.topics().allocRequests();
        this.taskEvents = settings.topics().taskEvents();
        this.snapshots = settings.topics().nodeSnapshots();
        this.deadLetters = new DeadLetters(settings.topics().deadLetter(), settings.service(), registry);
        this.ownPartition = new TopicPartition(commands.name(), settings.nodeId());
        this.taskPartition = new TopicPartition(taskEvents.name(), 0);
        this.consumer = clients.consumer(consumerProps(settings, settings.groupId()));
        this.taskConsumer = clients.consumer(consumerProps(settings, null));
        this.producer = clients.producer(producerProps(settings));
        String node = Integer.toString(settings.nodeId());
        this.commandsHandled = Counter.builder("oomsim.agent.commands").tag("node", node).tag("mode", "live")
                .register(registry);
        this.commandsReplayed = Counter.builder("oomsim.agent.commands").tag("node", node).tag("mode", "replay")
                .register(registry);
        this.commitTimer = Timer.builder("oomsim.agent.transaction.commit").tag("node", node).register(registry);
        this.snapshotsWritten = Counter.builder("oomsim.agent.snapshots").tag("node", node)
                .description("Node snapshots written to node-snapshots").register(registry);
        this.clientMetrics = List.of(new KafkaClientMetrics(consumer), new KafkaClientMetrics(taskConsumer),
                new KafkaClientMetrics(producer));
        clientMetrics.forEach(m -> m.bindTo(registry));
    }

    /** Whether replay is over and the loop serves live commands. */
    public boolean isLive() {
        return live;
    }

    /**
     * The last command-log offset committed (exclusive end), -1 before the first commit. Commands that sent nothing are
     * committed with the next transaction, so this may trail what the loop has handled.
     */
    public long lastCommittedOffset() {
        return lastCommittedOffset;
    }

    /** The one handler given: a fold that must restart cannot. */
    private static Supplier<CommandHandler> only(CommandHandler handler) {
        AtomicBoolean given = new AtomicBoolean();
        return () -> {
            if (given.getAndSet(true)) {
                throw new IllegalStateException(handler.getClass().getSimpleName()
                        + " asked for a fresh fold, but this command log was given one handler, not a factory");
            }
            return handler;
        };
    }

    /** Thrown by the loop when the handler asked, going live, for its fold to restart. */
    private static final class RestartFold extends RuntimeException {
        RestartFold() {
            super(null, null, false, false);
        }
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            while (true) {
                handler = handlers.get();
                try {
                    fold();
                    return;
                } catch (RestartFold restart) {
                    handler.abandon();
                    log.warn("node {} agent: the replay left a request holding an oom_lock grant this incarnation does"
                            + " not hold; journaled as lost, restarting the fold", settings.nodeId());
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } finally {
            closeClients();
        }
    }

    /** Restores, previews and replays the handler's fold, then serves live commands until closed. */
    private void fold() {
        wentLive = false;
        sinceSnapshot = 0;
        OffsetAndMetadata committed = consumer.committed(java.util.Set.of(ownPartition)).get(ownPartition);
        replayUntil = committed == null ? 0 : committed.offset();
        long from = 0;
        long taskFrom = 0;
        NodeSnapshot snapshot = replayUntil == 0 ? null : newestSnapshot();
        if (snapshot != null) {
            handler.restore(snapshot);
            from = snapshot.getCommandOffset();
            taskFrom = snapshot.getTaskEventsOffset();
        }
        replayFrom = from;
        consumer.assign(List.of(ownPartition));
        if (replayUntil > from) {
            preview(from);
        }
        consumer.seek(ownPartition, from);
        taskConsumer.assign(List.of(taskPartition));
        taskConsumer.seek(taskPartition, taskFrom);
        live = replayUntil == from;
        log.info("node {} agent: {}; replaying command log [{}, {}) before going live", settings.nodeId(),
                snapshot == null ? "no snapshot" : "restored the snapshot at offset " + from, from, replayUntil);
        while (running.get()) {
            ConsumerRecords<byte[], byte[]> batch = consumer.poll(settings.pollTimeout());
            if (!batch.isEmpty()) {
                process(batch.records(ownPartition));
            }
            if (live) {
                idle();
            }
        }
    }

    /**
     * Shows the handler every command from {@code start} to the end of the committed log before the replay starts
     * ({@link CommandHandler#preview}); undecodable records are left to the replay, which dead-letters nothing (they
     * were dead-lettered when first read).
     */
    private void preview(long start) {
        consumer.seek(ownPartition, start);
        readToEnd(consumer, ownPartition, record -> {
            try {
                NodeCommand command = commands.valueSerde().deserializer().deserialize(record.topic(), record.value());
                if (command != null) {
                    handler.preview(command, record.offset());
                }
            } catch (EventDecodingException e) {
                // The replay meets it again and treats it as it did live.
            }
        });
    }

    /**
     * Hands {@code reader}'s records of {@code partition} from its position up to the end of the committed log (as it
     * stands when called) to {@code each}, in order; stops early, by {@link WakeupException}, when the loop is closed.
     */
    private void readToEnd(Consumer<byte[], byte[]> reader, TopicPartition partition,
                           java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        long end = reader.endOffsets(List.of(partition)).get(partition);
        while (reader.position(partition) < end) {
            if (!running.get()) {
                throw new WakeupException();
            }
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(settings.pollTimeout()).records(partition)) {
                if (record.offset() < end) {
                    each.accept(record);
                }
            }
        }
    }

    /**
     * Writes the handler's snapshot covering the command log up to {@code commandOffset} into the open transaction, if
     * nothing is in flight; otherwise the next batch tries again.
     */
    private void writeSnapshot(long commandOffset) {
        Optional<NodeSnapshot.Builder> taken = handler.snapshot();
        if (taken.isEmpty()) {
            return;
        }
        NodeSnapshot snapshot = taken.get().setNode(settings.nodeId()).setCommandOffset(commandOffset)
                .setTaskEventsOffset(taskConsumer.position(taskPartition)).build();
        byte[] value = snapshots.valueSerde().serializer().serialize(snapshots.name(), snapshot);
        if (value.length > Topics.MAX_SNAPSHOT_BYTES) {
            log.warn("node {} agent: a snapshot of {} bytes exceeds {} bytes; not written, a restart replays further",
                    settings.nodeId(), value.length, Topics.MAX_SNAPSHOT_BYTES);
            sinceSnapshot = 0;
            return;
        }
        beginTransaction();
        producer.send(new ProducerRecord<>(snapshots.name(), settings.nodeId(),
                snapshots.keySerde().serializer().serialize(snapshots.name(), settings.nodeId()), value));
        snapshotsWritten.increment();
        sinceSnapshot = 0;
    }

    /**
     * The newest committed snapshot of this node on {@code node-snapshots} (partition = node id), or null. It covers
     * at most the committed command-log offset, because it was written in the transaction that committed it.
     */
    private NodeSnapshot newestSnapshot() {
        TopicPartition partition = new TopicPartition(snapshots.name(), settings.nodeId());
        try (Consumer<byte[], byte[]> reader = clients.consumer(consumerConfig(settings.bootstrapServers(), null,
                settings.service() + "-snapshots"))) {
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            byte[] key = snapshots.keySerde().serializer().serialize(snapshots.name(), settings.nodeId());
            AtomicReference<ConsumerRecord<byte[], byte[]>> last = new AtomicReference<>();
            readToEnd(reader, partition, r -> {
                if (r.value() != null && java.util.Arrays.equals(r.key(), key)) {
                    last.set(r);
                }
            });
            ConsumerRecord<byte[], byte[]> newest = last.get();
            if (newest == null) {
                return null;
            }
            NodeSnapshot snapshot = snapshots.valueSerde().deserializer().deserialize(newest.topic(), newest.value());
            if (snapshot.getNode() != settings.nodeId() || snapshot.getCommandOffset() > replayUntil) {
                throw new IllegalStateException("node-snapshots " + partition + "@" + newest.offset() + " is of node "
                        + snapshot.getNode() + " at command offset " + snapshot.getCommandOffset()
                        + ", but this is node "
                        + settings.nodeId() + " with offsets committed up to " + replayUntil);
            }
            return snapshot;
        }
    }

    /** Where the last start's replay began: the restored snapshot's command offset, or 0 without one. */
    public long replayFrom() {
        return replayFrom;
    }

    /**
     * Where the last start's replay ended: the offset the previous run had committed (exclusive end), 0 on a first
     * start; live commands begin there.
     */
    public long replayUntil() {
        return replayUntil;
    }

    /** Whether a transaction is open: it begins with the batch's first send. */
    private boolean inTransaction;

    private void beginTransaction() {
        if (!inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
        }
    }

    /** Actions waiting for the current transaction's commit, in order. */
    private final List<Runnable> afterCommit = new ArrayList<>();
    /**
     * The current transaction's records, in the order the handler sent them, handed to the producer together before the
     * commit: sent one by one while the batch is handled, linger.ms cuts them into a produce request per millisecond.
     */
    private final List<ProducerRecord<byte[], byte[]>> pending = new ArrayList<>();

    private void process(List<ConsumerRecord<byte[], byte[]>> records) {
        boolean transactional = records.get(records.size() - 1).offset() >= replayUntil;
        long next = -1;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            boolean replaying = record.offset() < replayUntil;
            Output out = new Output(record, replaying);
            if (!replaying && !wentLive) {
                goLive(out);
            }
            try {
                NodeCommand command = commands.valueSerde().deserializer().deserialize(record.topic(), record.value());
                if (command == null) {
                    out.reject(new RejectReason(DeadLetterCategory.UNDECODABLE, "a command log record has no value"));
                } else {
                    applyTaskEventsBelow(command.getTaskEventsOffset(), out);
                    handler.handle(command, record.offset(), out);
                }
            } catch (EventDecodingException e) {
                out.reject(new RejectReason(DeadLetterCategory.UNDECODABLE, e.getMessage()));
            }
            (replaying ? commandsReplayed : commandsHandled).increment();
            next = record.offset() + 1;
            if (!replaying) {
                live = true;
            }
        }
        if (transactional) {
            long offset = next;
            sendPending();
            sinceSnapshot += records.size();
            if (settings.snapshotEvery() > 0 && sinceSnapshot >= settings.snapshotEvery()) {
                writeSnapshot(offset);
            }
            // A batch that sent nothing (a lock grant read back, a fencing floor raised, pages released here) needs no
            // transaction of its own: its offsets go with the next one. Were the agent to die first, the replay would
            // handle those commands again, with the same effect on the node and, as before, nothing sent.
            if (inTransaction || !afterCommit.isEmpty()) {
                beginTransaction();
                commitTimer.record(() -> {
                    producer.sendOffsetsToTransaction(Map.of(ownPartition, new OffsetAndMetadata(offset)),
                            new ConsumerGroupMetadata(settings.groupId()));
                    producer.commitTransaction();
                });
                inTransaction = false;
                lastCommittedOffset = offset;
                for (Runnable action : afterCommit) {
                    action.run();
                }
                afterCommit.clear();
            }
        }
        if (next >= replayUntil && !live) {
            live = true;
        }
    }

    /**
     * Before the first live command: the handler checks what the replay left. When it journals that the fold cannot
     * go on, the journal is committed on its own (the offsets stay where they are: nothing live is handled yet) and
     * the fold restarts.
     */
    private void goLive(Output out) {
        wentLive = true;
        if (!handler.goLive(out)) {
            return;
        }
        sendPending();
        if (inTransaction) {
            producer.commitTransaction();
            inTransaction = false;
        }
        afterCommit.clear();
        throw new RestartFold();
    }

    /** Between polls, live: what the handler sends on its own account, committed in a transaction of its own. */
    private void idle() {
        handler.idle(new Output(null, false));
        if (pending.isEmpty()) {
            return;
        }
        sendPending();
        producer.commitTransaction();
        inTransaction = false;
    }

    private void sendPending() {
        if (pending.isEmpty()) {
            return;
        }
        beginTransaction();
        for (ProducerRecord<byte[], byte[]> record : pending) {
            producer.send(record);
        }
        pending.clear();
    }

    /**
     * Applies task-events records at offsets below {@code end} that are not applied yet, in order. The consumer's
     * position (not the last record's offset) decides, because transaction markers take offsets too.
     */
    private void applyTaskEventsBelow(long end, Output out) {
        while (taskConsumer.position(taskPartition) < end) {
            if (!running.get()) {
                throw new WakeupException();
            }
            ConsumerRecords<byte[], byte[]> batch = taskConsumer.poll(settings.pollTimeout());
            for (ConsumerRecord<byte[], byte[]> record : batch.records(taskPartition)) {
                if (record.offset() >= end) {
                    taskConsumer.seek(taskPartition, record.offset());
                    break;
                }
                try {
                    TaskEvent event = taskEvents.valueSerde().deserializer()
                            .deserialize(record.topic(), record.value());
                    if (event != null) {
                        // Its dead letters name the task-events record (the handler picks the one agent that reports).
                        handler.applyTaskEvent(event, record.offset(), new Output(record, out.replaying()));
                    }
                } catch (EventDecodingException e) {
                    // Every agent reads task-events; only node 0 reports a bad one, so it is dead-lettered once.
                    if (!out.replaying() && settings.nodeId() == 0) {
                        sendPending();
                        beginTransaction();
                        deadLetters.send(producer, record,
                                new RejectReason(DeadLetterCategory.UNDECODABLE, e.getMessage()), clock.wallTime());
                    }
                }
            }
        }
    }

    /** Stops the loop: the open transaction, if any, is aborted by the broker when the producer closes. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        taskConsumer.wakeup();
    }

    private void closeClients() {
        clientMetrics.forEach(KafkaClientMetrics::close);
        producer.close(Duration.ofSeconds(5));
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        taskConsumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }

    private final class Output implements CommandOutput {
        private final ConsumerRecord<byte[], byte[]> source;
        private final boolean replaying;

        Output(ConsumerRecord<byte[], byte[]> source, boolean replaying) {
            this.source = source;
            this.replaying = replaying;
        }

        @Override
        public boolean replaying() {
            return replaying;
        }

        @Override
        public void toNode(int node, NodeCommand command) {
            send(commands, node, command);
        }

        @Override
        public <K, V> void send(TopicSpec<K, V> topic, K key, V value) {
            if (replaying) {
                return;
            }
            byte[] k = topic.keySerde().serializer().serialize(topic.name(), key);
            byte[] v = topic.valueSerde().serializer().serialize(topic.name(), value);
            Integer partition = topic == commands ? (Integer) key : null;
            pending.add(new ProducerRecord<>(topic.name(), partition, k, v));
        }

        @Override
        public void reject(RejectReason reason) {
            if (source == null) {
                throw new IllegalStateException("nothing to dead-letter between commands: " + reason);
            }
            if (!replaying) {
                sendPending();
                beginTransaction();
                deadLetters.send(producer, source, reason, clock.wallTime());
            }
        }

        @Override
        public void afterCommit(Runnable action) {
            if (!replaying) {
                afterCommit.add(action);
            }
        }
    }

    private static Map<String, Object> consumerProps(Settings s, String groupId) {
        return consumerConfig(s.bootstrapServers(), groupId, s.service() + (groupId == null ? "-tasks" : "-commands"));
    }

    private static Map<String, Object> producerProps(Settings s) {
        Map<String, Object> p = producerConfig(s.bootstrapServers(), s.transactionalId(), s.service());
        // A snapshot of a big fragmented node is megabytes; the limit bounds a request, not what ordinary sends cost.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_SNAPSHOT_BYTES + (1 << 20));
        return p;
    }

    /**
     * The command log's consumer settings (read_committed, offsets committed only inside transactions, from the
     * earliest record): also the transactional pass-through baseline's, so the two measure the same Kafka I/O.
     * {@code groupId} null: no group (an assigned partition read without offsets).
     */
    public static Map<String, Object> consumerConfig(String bootstrapServers, String groupId, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return p;
    }

    /** The command log's transactional producer settings (idempotent, acks=all, linger 1 ms); also the baseline's. */
    public static Map<String, Object> producerConfig(String bootstrapServers, String transactionalId, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return p;
    }
}
