package dev.oomsim.bench.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches an output topic as a downstream reader sees it (read_committed, every partition, from the beginning) and
 * notes the {@link System#nanoTime()} at which the count of visible records first reaches each of the given marks,
 * with the count at that moment: records become visible a committed transaction at a time, so the count may pass a
 * mark by up to a batch, and a rate is the records between two {@link Mark}s over the time between them.
 * A record on the watched dead-letter topic ends the watch: an input the loop under test refused is a broken run,
 * not a slow one. The reader fetches with {@code fetch.max.wait.ms=5}, so a mark is noted at most a few ms late.
 */
public final class OutputWatch implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final String deadLetterTopic;
    private final long[] marks;
    private final long[] reachedAt;
    private final long[] reachedCount;
    private final CountDownLatch[] reached;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long count;

    /** Starts watching {@code topic} (and {@code deadLetterTopic}) for {@code marks}, in increasing order. */
    public OutputWatch(String bootstrapServers, String topic, String deadLetterTopic, long... marks) {
        for (int i = 1; i < marks.length; i++) {
            if (marks[i] < marks[i - 1]) {
                throw new IllegalArgumentException("marks must increase: " + Arrays.toString(marks));
            }
        }
        this.topic = topic;
        this.deadLetterTopic = deadLetterTopic;
        this.marks = marks.clone();
        this.reachedAt = new long[marks.length];
        this.reachedCount = new long[marks.length];
        this.reached = new CountDownLatch[marks.length];
        for (int i = 0; i < marks.length; i++) {
            reached[i] = new CountDownLatch(1);
        }
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "oomsim-bench-output-watch");
        this.consumer = new KafkaConsumer<>(p);
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : List.of(topic, deadLetterTopic)) {
            consumer.partitionsFor(t).forEach(pi -> parts.add(new TopicPartition(t, pi.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        this.thread = new Thread(this::watch, "oomsim-bench-output-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Records visible so far. */
    public long count() {
        return count;
    }

    /** When a mark was reached ({@link System#nanoTime()}) and how many records were visible then. */
    public record Mark(long nanos, long count) {

        /** Records per second from {@code earlier} to this mark. */
        public double ratePerSecondSince(Mark earlier) {
            if (nanos == earlier.nanos) {
                throw new IllegalStateException("records " + earlier.count + " to " + count
                        + " became visible at once: "
                        + "too few to time");
            }
            return (count - earlier.count) / ((nanos - earlier.nanos) / 1e9);
        }
    }

    /**
     * Waits until the count reached mark {@code i} and returns when it did; fails when the deadline passes or an
     * input went to dead-letter.
     */
    public Mark awaitMark(int i, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached[i].await(50, TimeUnit.MILLISECONDS)) {
            if (failure.get() != null) {
                throw new IllegalStateException(failure.get());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + count + " of " + marks[i] + " records visible on " + topic
                        + " after " + timeout.toSeconds() + " s");
            }
        }
        return new Mark(reachedAt[i], reachedCount[i]);
    }

    private void watch() {
        int next = 0;
        try {
            while (running) {
                long seen = 0;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    if (r.topic().equals(deadLetterTopic)) {
                        failure.compareAndSet(null, "an input went to dead-letter " + deadLetterTopic + " (offset "
                                + r.offset() + "): the loop under test refused it");
                    } else {
                        seen++;
                    }
                }
                if (seen == 0) {
                    continue;
                }
                long now = System.nanoTime();
                count += seen;
                while (next < marks.length && count >= marks[next]) {
                    reachedAt[next] = now;
                    reachedCount[next] = count;
                    reached[next].countDown();
                    next++;
                }
            }
        } catch (WakeupException e) {
            // closed
        } catch (RuntimeException e) {
            failure.compareAndSet(null, "watching " + topic + " failed: " + e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
