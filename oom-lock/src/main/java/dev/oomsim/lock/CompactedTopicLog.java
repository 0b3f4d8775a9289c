package dev.oomsim.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generic reader of a one-partition compacted topic, after Connect's KafkaBasedLog: it assigns
 * the partition (no consumer group), reads from the beginning, and keeps tailing in a background
 * thread, handing every record in offset order to a fold. What the records mean is the fold's
 * business.
 *
 * <p>Writers wait with {@link #awaitPassed(long)} until the reader has folded their record: the
 * future completes from the reader thread, with no sleep loop. The fold may run over an offset
 * before the writer's acknowledgement has arrived; whatever the fold decided is its to keep.
 *
 * <p>The fold runs on the reader thread only. A fold that throws stops the log: every waiter fails.
 */
public final class CompactedTopicLog<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicLog.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

    private final TopicPartition partition;
    private final org.apache.kafka.clients.consumer.Consumer<K, V> consumer;
    private final Consumer<ConsumerRecord<K, V>> fold;
    private final Thread reader;
    private final Object waitersLock = new Object();
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Long>> endRequests = new ConcurrentLinkedQueue<>();
    private volatile long position;
    private volatile boolean running;
    private volatile Throwable failure;

    /**
     * @param consumerConfig bootstrap servers and any client settings; group and offset settings are the log's
     * @param fold           called on the reader thread for every record, in offset order
     */
    public CompactedTopicLog(String topic, Map<String, Object> consumerConfig, Deserializer<K> keyDeserializer,
                             Deserializer<V> valueDeserializer, Consumer<ConsumerRecord<K, V>> fold) {
        this(topic, new KafkaConsumer<>(readerConfig(topic, consumerConfig), keyDeserializer, valueDeserializer), fold);
    }

    /** A log over a given consumer (tests use Kafka's MockConsumer); the log owns and closes it. */
    CompactedTopicLog(String topic, org.apache.kafka.clients.consumer.Consumer<K, V> consumer,
                      Consumer<ConsumerRecord<K, V>> fold) {
        this.partition = new TopicPartition(Objects.requireNonNull(topic, "topic"), 0);
        this.fold = Objects.requireNonNull(fold, "fold");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.reader = new Thread(this::run, "compacted-log-" + topic);
        this.reader.setDaemon(true);
    }

    private static Map<String, Object> readerConfig(String topic, Map<String, Object> consumerConfig) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "compacted-log-" + topic);
        return config;
    }

    /** Assigns the partition, starts tailing from offset 0 and returns once the reader has read to the end. */
    public void start(Duration timeout) {
        consumer.assign(Set.of(partition));
        consumer.seekToBeginning(Set.of(partition));
        running = true;
        reader.start();
        await(readToEnd(), timeout, "read " + partition + " to its end");
    }

    /** Completes, with the reader's position, once the reader has passed the end offset of the partition as of now. */
    public CompletableFuture<Long> readToEnd() {
        CompletableFuture<Long> request = new CompletableFuture<>();
        endRequests.add(request);
        consumer.wakeup();
        failIfStopped();
        return request;
    }

    /**
     * Completes, with the reader's position, once the reader has folded the record at {@code offset} (or passed it).
     */
    public CompletableFuture<Long> awaitPassed(long offset) {
        CompletableFuture<Long> passed = new CompletableFuture<>();
        synchronized (waitersLock) {
            if (position > offset) {
                passed.complete(position);
                return passed;
            }
            waiters.add(new Waiter(offset, passed));
        }
        failIfStopped();
        return passed;
    }

    /** The offset of the next record the reader will fold. */
    public long position() {
        return position;
    }

    public String topic() {
        return partition.topic();
    }

    private void run() {
        try {
            while (running) {
                try {
                    serveEndRequests();
                    ConsumerRecords<K, V> records = consumer.poll(POLL_TIMEOUT);
                    for (ConsumerRecord<K, V> record : records) {
                        fold.accept(record);
                    }
                    advance(consumer.position(partition));
                } catch (WakeupException wakeup) {
                    // readToEnd() or close() wants the reader's attention: loop again
                }
            }
        } catch (Throwable t) {
            LOG.error("reader of {} stopped", partition, t);
            stop(t);
        } finally {
            stop(new IllegalStateException("log of " + partition + " closed"));
            consumer.close(Duration.ZERO);
        }
    }

    private void serveEndRequests() {
        if (endRequests.isEmpty()) {
            return;
        }
        // Take the requests only once the end offset is known: a wakeup may interrupt endOffsets().
        long end = consumer.endOffsets(Set.of(partition), Duration.ofSeconds(30)).get(partition);
        List<CompletableFuture<Long>> requests = new ArrayList<>();
        for (CompletableFuture<Long> r; (r = endRequests.poll()) != null; ) {
            requests.add(r);
        }
        synchronized (waitersLock) {
            for (CompletableFuture<Long> request : requests) {
                if (position >= end) {
                    request.complete(position);
                } else {
                    waiters.add(new Waiter(end - 1, request));
                }
            }
        }
    }

    private void advance(long newPosition) {
        List<CompletableFuture<Long>> passed = new ArrayList<>();
        synchronized (waitersLock) {
            position = newPosition;
            while (!waiters.isEmpty() && waiters.peek().offset() < newPosition) {
                passed.add(waiters.poll().future());
            }
        }
        for (CompletableFuture<Long> future : passed) {
            future.complete(newPosition);
        }
    }

    private void stop(Throwable cause) {
        running = false;
        if (failure == null) {
            failure = cause;
        }
        List<CompletableFuture<Long>> pending = new ArrayList<>();
        synchronized (waitersLock) {
            while (!waiters.isEmpty()) {
                pending.add(waiters.poll().future());
            }
        }
        for (CompletableFuture<Long> r; (r = endRequests.poll()) != null; ) {
            pending.add(r);
        }
        pending.forEach(f -> f.completeExceptionally(failure));
    }

    private void failIfStopped() {
        if (failure != null) {
            stop(failure);
        }
    }

    @Override
    public void close() {
        if (reader.getState() == Thread.State.NEW) {
            consumer.close(Duration.ZERO);
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting to " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("failed to " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out after " + timeout + " waiting to " + what, e);
        }
    }

    private record Waiter(long offset, CompletableFuture<Long> future) implements Comparable<Waiter> {
        @Override
        public int compareTo(Waiter other) {
            return Long.compare(offset, other.offset);
        }
    }
}
