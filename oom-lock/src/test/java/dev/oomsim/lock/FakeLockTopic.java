package dev.oomsim.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * A one-partition lock topic without a broker, for unit tests of the lock's logic: every write gets
 * the next offset and the log time of a {@link ManualClock}, and is handed to the reader.
 */
final class FakeLockTopic {

    static final String TOPIC = "oom-lock";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    /** Monotonic nanos and the broker's log time (ms) move together, by hand. */
    static final class ManualClock implements MonotonicClock {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long nanoTime() {
            return nanos.get();
        }

        long logTimeMs() {
            return 1_700_000_000_000L + nanos.get() / 1_000_000;
        }

        void advanceMs(long ms) {
            nanos.addAndGet(ms * 1_000_000);
        }
    }

    final ManualClock clock = new ManualClock();
    private final List<ProducerRecord<String, byte[]>> written = new ArrayList<>();
    private final Reader consumer = new Reader();
    private long nextOffset;
    private int failNext;
    private Runnable beforeNextSend;

    FakeLockTopic() {
        consumer.assign(Set.of(PARTITION));
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        consumer.updateEndOffsets(Map.of(PARTITION, 0L));
    }

    CompactedTopicLock.Clients clients() {
        return new CompactedTopicLock.Clients(new Writer(), consumer);
    }

    /** Appends a record as another writer would; returns its offset. */
    synchronized long append(String key, ClaimValue claimOrNull) {
        byte[] value = claimOrNull == null ? null : AvroClaimCodec.INSTANCE.encode(claimOrNull);
        return append(new ProducerRecord<>(TOPIC, 0, key, value)).offset();
    }

    private synchronized RecordMetadata append(ProducerRecord<String, byte[]> record) {
        long offset = nextOffset++;
        long time = clock.logTimeMs();
        written.add(record);
        consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, time, TimestampType.LOG_APPEND_TIME, -1, -1,
                record.key(), record.value(), new RecordHeaders(), Optional.empty()));
        consumer.updateEndOffsets(Map.of(PARTITION, offset + 1));
        return new RecordMetadata(PARTITION, offset, 0, time, -1, -1);
    }

    /** The next {@code n} sends fail as if the broker were unreachable. */
    synchronized void failNextSends(int n) {
        failNext = n;
    }

    /** Runs {@code action} (e.g. a competitor's claim) just before the lock's next write lands. */
    synchronized void beforeNextSend(Runnable action) {
        beforeNextSend = action;
    }

    synchronized List<ProducerRecord<String, byte[]>> written() {
        return List.copyOf(written);
    }

    private final class Writer extends MockProducer<String, byte[]> {

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
            return send(record, null);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
            RecordMetadata metadata;
            synchronized (FakeLockTopic.this) {
                if (failNext > 0) {
                    failNext--;
                    TimeoutException error = new TimeoutException("fake broker unreachable");
                    if (callback != null) {
                        callback.onCompletion(null, error);
                    }
                    return CompletableFuture.failedFuture(error);
                }
                if (beforeNextSend != null) {
                    Runnable action = beforeNextSend;
                    beforeNextSend = null;
                    action.run();
                }
                metadata = append(record);
            }
            if (callback != null) {
                callback.onCompletion(metadata, null);
            }
            return CompletableFuture.completedFuture(metadata);
        }
    }

    /** MockConsumer whose poll waits for a record (like a broker's long poll) instead of spinning. */
    private static final class Reader extends MockConsumer<String, byte[]> {
        private long added;
        private long delivered;

        Reader() {
            super("earliest");
        }

        @Override
        public synchronized void addRecord(ConsumerRecord<String, byte[]> record) {
            super.addRecord(record);
            added++;
            notifyAll();
        }

        @Override
        public synchronized ConsumerRecords<String, byte[]> poll(java.time.Duration timeout) {
            if (added == delivered) {
                try {
                    wait(Math.min(timeout.toMillis(), 20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            delivered = added;
            return super.poll(timeout);
        }

        @Override
        public void wakeup() {
            super.wakeup();
            synchronized (this) {
                notifyAll();
            }
        }
    }
}
