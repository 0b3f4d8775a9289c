package dev.oomsim.stack.trace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.OutcomeKind;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The stack's answers to a replay's requests, read from {@code progress} and {@code dead-letter} (read_committed:
 * the agents write transactionally) from their ends at construction, on a thread of its own: every answer to a
 * request named {@code <prefix>…} is counted, and an allocation's answer completes what {@link #await} waits for.
 * A request is answered once: by its outcome on {@code progress}, or by its dead letter.
 */
public final class OutcomeWatch implements ReplayOutcomes, AutoCloseable {

    private final Topics topics;
    private final String prefix;
    private final Duration deadline;
    private final BooleanSupplier stop;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, CompletableFuture<AllocOutcome>> expected = new ConcurrentHashMap<>();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong nulls = new AtomicLong();
    private final AtomicLong taskEventsDeadLettered = new AtomicLong();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Map<String, Long> deadLetterReasons = new TreeMap<>();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Watches from the current ends of the topics; {@link #await} gives up after {@code deadline} without an answer,
     * and returns empty as soon as {@code stop} says so.
     */
    public OutcomeWatch(String bootstrapServers, Topics topics, String prefix, Duration deadline,
            BooleanSupplier stop) {
        this.topics = topics;
        this.prefix = prefix;
        this.deadline = deadline;
        this.stop = stop;
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        this.consumer = new KafkaConsumer<>(c);
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(topics.progress().name(), topics.deadLetter().name())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
            if (infos == null || infos.isEmpty()) {
                consumer.close();
                throw new IllegalStateException("topic " + topic + " does not exist: is the stack running?");
            }
            for (PartitionInfo p : infos) {
                parts.add(new TopicPartition(topic, p.partition()));
            }
        }
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        for (TopicPartition p : parts) {
            consumer.position(p, Duration.ofSeconds(15)); // fixes the start before anything is produced
        }
        this.thread = new Thread(this::loop, "oomsim-replay-outcomes");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.topic().equals(topics.progress().name())) {
                        progress(topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value()));
                    } else {
                        deadLetter(topics.deadLetter().valueSerde().deserializer().deserialize(r.topic(), r.value()));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure.set(e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void progress(ProgressEvent p) {
        String id = p.getRequestId();
        if (!id.startsWith(prefix)) {
            return;
        }
        answered.incrementAndGet();
        if (p.getKind() != OutcomeKind.ALLOC) {
            return;
        }
        AllocOutcome o;
        if (p.getPage() == null) {
            nulls.incrementAndGet();
            o = new NotGranted("the model returned NULL");
        } else {
            o = new Granted(p.getPage().getNode(), p.getPage().getPfn(), p.getPage().getOrder());
        }
        complete(id, o);
    }

    private void deadLetter(DeadLetter d) {
        if (d.getSourceTopic().equals(topics.taskEvents().name())) {
            // A spawn the agents refused since the watch began: the replay's (or another load's running beside it).
            taskEventsDeadLettered.incrementAndGet();
            tally("task-events: " + d.getReason());
            return;
        }
        if (!d.getSourceTopic().equals(topics.allocRequests().name()) || d.getValue() == null) {
            return;
        }
        NodeCommand c;
        try {
            byte[] bytes = new byte[d.getValue().remaining()];
            d.getValue().duplicate().get(bytes);
            c = topics.allocRequests().valueSerde().deserializer().deserialize(d.getSourceTopic(), bytes);
        } catch (RuntimeException e) {
            return; // not a command of ours: some other bad input
        }
        if (c == null || !c.getCommandId().startsWith(prefix)) {
            return;
        }
        answered.incrementAndGet();
        deadLettered.incrementAndGet();
        tally(d.getReason());
        complete(c.getCommandId(), new NotGranted("dead-lettered: " + d.getReason()));
    }

    private void tally(String reason) {
        synchronized (deadLetterReasons) {
            if (deadLetterReasons.size() < TraceReplay.MAX_LISTED || deadLetterReasons.containsKey(reason)) {
                deadLetterReasons.merge(reason, 1L, Long::sum);
            }
        }
    }

    private void complete(String id, AllocOutcome o) {
        CompletableFuture<AllocOutcome> f = expected.get(id);
        if (f != null) {
            f.complete(o);
        }
    }

    @Override
    public void expect(String requestId) {
        expected.putIfAbsent(requestId, new CompletableFuture<>());
    }

    @Override
    public Optional<AllocOutcome> await(String requestId) {
        CompletableFuture<AllocOutcome> f = expected.get(requestId);
        if (f == null) {
            throw new IllegalStateException("request " + requestId + " was never announced");
        }
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            rethrow();
            try {
                AllocOutcome o = f.get(100, TimeUnit.MILLISECONDS);
                expected.remove(requestId);
                return Optional.of(o);
            } catch (TimeoutException e) {
                if (stop.getAsBoolean()) {
                    return Optional.empty();
                }
                if (System.nanoTime() - end > 0) {
                    throw new IllegalStateException("no answer to request " + requestId + " within "
                            + deadline.toSeconds() + " s on " + topics.progress().name() + " or "
                            + topics.deadLetter().name() + ": is the agent of its node running?");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    @Override
    public boolean awaitAnswered(long requests) {
        long seen = answered.get();
        long end = System.nanoTime() + deadline.toNanos();
        while (seen < requests) {
            rethrow();
            if (stop.getAsBoolean()) {
                return false;
            }
            if (System.nanoTime() - end > 0) {
                throw new IllegalStateException("the stack answered no request within " + deadline.toSeconds()
                        + " s (" + seen + " answered, waiting for " + requests + "): are the agents running?");
            }
            LockSupport.parkNanos(1_000_000L);
            long now = answered.get();
            if (now > seen) {
                seen = now;
                end = System.nanoTime() + deadline.toNanos();
            }
        }
        return true;
    }

    /**
     * Waits until {@code requests} answers have been counted, {@code stop} says so or {@code wait} passes; returns
     * the count then. Told of progress through {@code progress}.
     */
    public long awaitAnswered(long requests, Duration wait, BooleanSupplier stopWaiting,
            LongConsumer progress) {
        long end = System.nanoTime() + wait.toNanos();
        long n = answered.get();
        while (n < requests && !stopWaiting.getAsBoolean() && System.nanoTime() - end < 0) {
            rethrow();
            progress.accept(n);
            LockSupport.parkNanos(50_000_000L);
            n = answered.get();
        }
        return n;
    }

    private void rethrow() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw new IllegalStateException("reading " + topics.progress().name() + " failed: " + e.getMessage(), e);
        }
    }

    /** Requests answered so far (outcomes and dead letters). */
    public long answered() {
        return answered.get();
    }

    /** Requests dead-lettered so far. */
    public long deadLettered() {
        return deadLettered.get();
    }

    /** Task events (spawns) dead-lettered since the watch began. */
    public long taskEventsDeadLettered() {
        return taskEventsDeadLettered.get();
    }

    /** Allocations the model answered with NULL so far. */
    public long nulls() {
        return nulls.get();
    }

    /**
     * How many of the replay's requests were dead-lettered for each reason (the first 100 reasons); task events
     * dead-lettered since the watch began under {@code task-events: <reason>}.
     */
    public Map<String, Long> deadLetterReasons() {
        synchronized (deadLetterReasons) {
            return new TreeMap<>(deadLetterReasons);
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
