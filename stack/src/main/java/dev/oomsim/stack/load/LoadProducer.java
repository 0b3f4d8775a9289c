package dev.oomsim.stack.load;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import dev.oomsim.agent.TaskEventsPosition;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces a load's records to a running stack: task events to {@code task-events} keyed by pid, requests to
 * {@code alloc-requests} keyed and partitioned by node, each wrapped in a {@link NodeCommand} (origin -1) stamped
 * with the end of {@code task-events} after the last spawn it depends on, so an agent applies the spawn before the
 * task's first request. Idempotent, batching producer (acks=all, linger 5 ms); requests are sent asynchronously,
 * spawns synchronously (their offset is the stamp). Paced ({@link Pacing}) by a {@link TokenBucket} or by the records'
 * own times, on the given clock.
 */
public final class LoadProducer implements AutoCloseable {

    /** What a run produced. */
    public record Result(long taskEvents, long requests, long nanos, boolean stopped) {
        /** Records a second. */
        public double rate() {
            return nanos == 0 ? 0 : (taskEvents + requests) * 1e9 / nanos;
        }
    }

    /** Told of progress every few thousand records. */
    public interface Progress {
        void produced(long records);
    }

    /** The two specs, built once: {@code Topics} makes a new spec (configs copied) on every call, one per record. */
    private final TopicSpec<Integer, NodeCommand> requests;
    private final TopicSpec<Integer, dev.oomsim.schemas.TaskEvent> taskEvents;
    private final org.apache.kafka.common.serialization.Serializer<Integer> requestKeys;
    private final org.apache.kafka.common.serialization.Serializer<NodeCommand> requestValues;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long stamp;

    public LoadProducer(String bootstrapServers, Topics topics) {
        this.requests = topics.allocRequests();
        this.taskEvents = topics.taskEvents();
        this.requestKeys = requests.keySerde().serializer();
        this.requestValues = requests.valueSerde().serializer();
        Map<String, Object> a = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        try (Admin admin = Admin.create(a)) {
            this.stamp = TaskEventsPosition.committedEnd(admin, topics);
        }
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        // No compression: records are ~50 B of Avro and the CPU is the limit, not the network. Measured with the
        // bench's load row on 2 cores shared with the broker: lz4 124 k rec/s, none 200 k rec/s (ProducerPerformance
        // 180 k).
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        this.producer = new KafkaProducer<>(p);
    }

    /**
     * Produces {@code records} at most {@code ratePerSecond} a second (non-positive: as fast as the broker takes
     * them) until they run out or {@code stop} says so, then flushes.
     */
    public Result run(Iterator<LoadRecord> records, double ratePerSecond, LongSupplier nanoClock,
            BooleanSupplier stop, Progress progress) {
        return run(records, Pacing.rate(ratePerSecond), nanoClock, stop, progress);
    }

    /**
     * Produces {@code records} paced by {@code pacing} on {@code nanoClock} until they run out or {@code stop} says
     * so, then flushes. Waits park the thread for the computed time (never counted sleeps: the deadline comes from the
     * clock), and {@code stop} is checked before every record.
     */
    public Result run(Iterator<LoadRecord> records, Pacing pacing, LongSupplier nanoClock, BooleanSupplier stop,
            Progress progress) {
        TokenBucket bucket = pacing instanceof Pacing.Rate r ? new TokenBucket(r.perSecond(),
                Math.max(1, r.perSecond() / 100), nanoClock) : null;
        double speed = pacing instanceof Pacing.Timestamps t ? t.speed() : 0;
        long start = nanoClock.getAsLong();
        // Timestamps: the schedule starts once the first record is out (the first send waits for metadata), so the
        // records after it keep their spacing instead of catching up on the producer's start.
        boolean scheduled = false;
        long origin = 0;
        long tasks = 0;
        long requests = 0;
        boolean stopped = false;
        LoadRecord next = null;
        while (next != null || records.hasNext()) {
            if (stop.getAsBoolean()) {
                stopped = true;
                break;
            }
            if (next == null) {
                next = records.next();
            }
            long wait = 0;
            if (bucket != null) {
                wait = bucket.nanosUntil(1);
            } else if (speed > 0 && scheduled) {
                wait = origin + (long) (next.atNanos() / speed) - nanoClock.getAsLong();
            }
            if (wait > 0) {
                // Bounded so that Ctrl-C is seen within 100 ms even in a long gap of a trace.
                LockSupport.parkNanos(Math.min(wait, 100_000_000L));
                continue;
            }
            if (bucket != null) {
                bucket.tryTake(1);
            }
            LoadRecord r = next;
            next = null;
            if (r instanceof LoadRecord.Task t) {
                sendTask(t);
                tasks++;
            } else {
                sendRequest((LoadRecord.Request) r);
                requests++;
            }
            if (speed > 0 && !scheduled) {
                scheduled = true;
                origin = nanoClock.getAsLong() - (long) (r.atNanos() / speed);
            }
            rethrow();
            if (((tasks + requests) & 0xfff) == 0) {
                progress.produced(tasks + requests);
            }
        }
        producer.flush();
        rethrow();
        return new Result(tasks, requests, nanoClock.getAsLong() - start, stopped);
    }

    private void sendTask(LoadRecord.Task t) {
        TopicSpec<Integer, dev.oomsim.schemas.TaskEvent> spec = taskEvents;
        int pid = t.event().getPid();
        try {
            RecordMetadata m = producer.send(new ProducerRecord<>(spec.name(), spec.keySerde().serializer()
                    .serialize(spec.name(), pid), spec.valueSerde().serializer().serialize(spec.name(), t.event())))
                    .get();
            stamp = Math.max(stamp, m.offset() + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending the spawn of pid " + pid, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send the spawn of pid " + pid + " to " + spec.name() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private void sendRequest(LoadRecord.Request r) {
        TopicSpec<Integer, NodeCommand> spec = requests;
        // The all-fields constructor: a builder per record validates and looks defaults up, a cost on the hot path.
        NodeCommand c = new NodeCommand(r.request().getRequestId(), -1, stamp, r.request());
        producer.send(new ProducerRecord<>(spec.name(), r.node(), requestKeys.serialize(spec.name(), r.node()),
                requestValues.serialize(spec.name(), c)), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
    }

    private void rethrow() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("cannot send to " + requests.name() + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
