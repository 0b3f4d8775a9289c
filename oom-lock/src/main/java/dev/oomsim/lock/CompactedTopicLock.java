package dev.oomsim.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide trylock over a compacted topic (docs/lock-protocol.md), for one contender incarnation.
 *
 * <p>{@link #tryLock()} never blocks on the holder: it tests the local fold first and writes
 * nothing if another key holds a live claim; otherwise it claims, lets the tailing reader pass the
 * claim's offset O and takes the fold's decision at O. A claim that did not win is withdrawn at
 * once. At most one tryLock is in flight per key: a concurrent call is refused locally.
 *
 * <p>Threads: any thread may call {@link #tryLock()} and {@link #unlock(LockGrant)}; the fold runs
 * on the log's reader thread, which owns the {@link LockState} and publishes immutable views.
 */
public final class CompactedTopicLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicLock.class);

    private final LockConfig config;
    private final LockKey key;
    private final String keyText;
    private final MonotonicClock clock;
    private final RandomGenerator random;
    private final LockMetrics metrics;
    private final LockState state;
    private final LockRecordDecoder decoder;
    private final ClaimCodec codec;
    private final Producer<String, byte[]> producer;
    private final CompactedTopicLog<String, byte[]> log;
    private final List<Consumer<Acquisition>> acquisitionListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicReference<LockGrant> current = new AtomicReference<>();
    private final AtomicLong requestCounter = new AtomicLong();
    private final long leaseNanos;
    private final long safetyMarginNanos;

    private volatile Folded folded = new Folded(new LockState.View(List.of(), Long.MIN_VALUE, -1), 0);
    private volatile String pendingRequestId;
    private volatile Decision decision;
    private volatile boolean withdrawNeeded;
    private volatile long backoffUntilNanos;
    private volatile boolean backingOff;

    // Hints for callers that wait (reader thread writes, any thread reads); they never change what tryLock decides.
    private final TreeSet<String> contendersSeen = new TreeSet<>();
    private volatile List<String> contenders;
    private volatile String lastHolder;
    private volatile boolean foldShowsFree = true;
    private volatile long freeSinceNanos;
    private volatile CompletableFuture<Void> freeSignal = CompletableFuture.completedFuture(null);
    private volatile long pendingSentAtNanos;
    private volatile long claimVisibleNanos;

    private CompactedTopicLock(Builder b) {
        this.config = b.config;
        this.key = config.key();
        this.keyText = key.asString();
        this.clock = b.clock;
        this.random = b.random;
        this.codec = b.codec;
        this.metrics = new LockMetrics(b.registry, key);
        this.state = new LockState(config.lock());
        this.decoder = new LockRecordDecoder(codec);
        this.leaseNanos = config.lease().toNanos();
        this.safetyMarginNanos = config.safetyMargin().toNanos();
        this.contendersSeen.add(key.contender());
        this.contenders = List.of(key.contender());
        this.freeSinceNanos = clock.nanoTime();

        Map<String, Object> producerConfig = new HashMap<>(b.clientConfig);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int sendTimeoutMs = (int) config.sendTimeout().toMillis();
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, sendTimeoutMs);
        producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, sendTimeoutMs);
        // send() itself may wait for metadata; bound it too, so a tryLock never hangs on an unreachable broker.
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, sendTimeoutMs);
        producerConfig.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "oom-lock-" + config.contender());
        this.producer = b.clients == null
                ? new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer())
                : b.clients.producer();

        Map<String, Object> consumerConfig = new HashMap<>(b.clientConfig);
        consumerConfig.putIfAbsent("client.id", "oom-lock-reader-" + config.contender());
        this.log = b.clients == null
                ? new CompactedTopicLog<>(config.topic(), consumerConfig, new StringDeserializer(),
                        new ByteArrayDeserializer(), this::fold)
                : new CompactedTopicLog<>(config.topic(), b.clients.consumer(), this::fold);
    }

    /** Clients given instead of built from the config, and no topic check: for broker-free tests. */
    record Clients(Producer<String, byte[]> producer, org.apache.kafka.clients.consumer.Consumer<String,
            byte[]> consumer) {
    }

    /**
     * Starts building the lock of one contender incarnation; {@code clientConfig} holds bootstrap servers and client
     * settings.
     */
    public static Builder builder(LockConfig config, Map<String, Object> clientConfig) {
        return new Builder(config, clientConfig);
    }

    /**
     * Tries to take the lock without waiting for the holder.
     *
     * @return the grant, or empty when the lock is held elsewhere (or this claim did not win);
     *         then call again no sooner than {@link #retryAfterNanos()}
     */
    public Optional<LockGrant> tryLock() {
        long start = clock.nanoTime();
        if (!inFlight.compareAndSet(false, true)) {
            return refusedLocally(start);
        }
        try {
            LockGrant held = current.get();
            if (held != null) {
                if (held.isValidAt(start)) {
                    return refusedLocally(start);
                }
                // Our own clock says the grant ran out: we no longer act as holder; withdraw the claim.
                withdraw(held);
            }
            if (backingOff && start - backoffUntilNanos < 0) {
                return refusedLocally(start);
            }
            backingOff = false;
            if (withdrawNeeded) {
                withdrawNeeded = false;
                sendTombstone(keyText);
            }
            Folded view = folded;
            long estimatedLogTimeMs = view.view().logTimeMs() + TimeUnit.NANOSECONDS.toMillis(start - view.atNanos());
            if (view.view().anotherLiveClaim(key, estimatedLogTimeMs)) {
                return refusedLocally(start);
            }
            return claim(start);
        } finally {
            pendingRequestId = null;
            inFlight.set(false);
        }
    }

    private Optional<LockGrant> claim(long start) {
        String requestId = Long.toString(requestCounter.incrementAndGet());
        pendingRequestId = requestId;
        byte[] value = codec.encode(new ClaimValue(key.contender(), key.incarnation(), requestId, config.lease()
                .toMillis()));
        long sentAt = clock.nanoTime();
        pendingSentAtNanos = sentAt;
        RecordMetadata ack;
        try {
            ack = producer.send(new ProducerRecord<>(config.topic(), 0, keyText, value))
                    .get(config.sendTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return withdrawAfterFailedSend(start, e);
        } catch (ExecutionException | TimeoutException e) {
            return withdrawAfterFailedSend(start, e);
        }
        long offset = ack.offset();
        long remaining = config.decisionTimeout().toNanos() - (clock.nanoTime() - sentAt);
        try {
            log.awaitPassed(offset).get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return notTaken(start);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("reader did not pass claim {} at offset {} within {}: withdrawing", keyText, offset,
                    config.decisionTimeout());
            return notTaken(start);
        }
        Decision d = decision;
        long now = clock.nanoTime();
        long validUntil = sentAt + leaseNanos - safetyMarginNanos;
        if (d == null || !d.requestId().equals(requestId) || d.offset() != offset || !d.acquired() || now
                - validUntil >= 0) {
            return notTaken(start);
        }
        LockGrant grant = new LockGrant(key, requestId, offset, d.appendTimeMs(), now, validUntil);
        current.set(grant);
        metrics.acquired(clock.nanoTime() - start);
        return Optional.of(grant);
    }

    private Optional<LockGrant> refusedLocally(long start) {
        metrics.refusedLocal(clock.nanoTime() - start);
        return Optional.empty();
    }

    /** The claim did not win at its offset (or was not decided in time): withdraw it at once and back off. */
    private Optional<LockGrant> notTaken(long start) {
        sendTombstone(keyText);
        backOff();
        metrics.refusedAtOffset(clock.nanoTime() - start);
        return Optional.empty();
    }

    /** The claim may still have landed: withdraw it now, and again before the next claim if this fails too. */
    private Optional<LockGrant> withdrawAfterFailedSend(long start, Exception cause) {
        LOG.warn("claim {} failed to send: withdrawing", keyText, cause);
        withdrawNeeded = true;
        try {
            sendTombstone(keyText).get(config.sendTimeout().toNanos(), TimeUnit.NANOSECONDS);
            withdrawNeeded = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("withdrawal of {} failed too: retrying before the next claim", keyText, e);
        }
        backOff();
        metrics.refusedAtOffset(clock.nanoTime() - start);
        return Optional.empty();
    }

    private void backOff() {
        long ticks = 1 + random.nextInt(config.maxBackoffTicks());
        backoffUntilNanos = clock.nanoTime() + ticks * config.tick().toNanos();
        backingOff = true;
    }

    /** How long the caller should wait before the next tryLock: the remaining jittered back-off, or one tick. */
    public long retryAfterNanos() {
        long tick = config.tick().toNanos();
        if (!backingOff) {
            return tick;
        }
        return Math.max(tick, backoffUntilNanos - clock.nanoTime());
    }

    /**
     * Completes once the fold shows no live claim at all (this contender's own included), on the reader thread as it
     * folds the record that leaves none; already complete while the fold shows none. A caller refused while another
     * key holds the lock can wait for this instead of retrying every tick: a refused tryLock depends only on the fold
     * and the time, so nothing can change before then except a lease running out on an idle log (see
     * {@link #liveClaimsExpireInNanos()}).
     */
    public CompletableFuture<Void> whenFree() {
        return freeSignal;
    }

    /**
     * How long until every claim live in the fold now has expired by the estimated log time (last folded append
     * time + local time since): when a holder died, no record frees the lock and only this tells when it is free.
     * 0 when none is live.
     */
    public long liveClaimsExpireInNanos() {
        Folded view = folded;
        long nowNanos = clock.nanoTime();
        long estimatedLogTimeMs = view.view().logTimeMs() + TimeUnit.NANOSECONDS.toMillis(nowNanos - view.atNanos());
        long lastDeadlineMs = Long.MIN_VALUE;
        for (Claim claim : view.view().claims()) {
            if (claim.isLiveAt(estimatedLogTimeMs)) {
                lastDeadlineMs = Math.max(lastDeadlineMs, claim.deadlineMs());
            }
        }
        return lastDeadlineMs == Long.MIN_VALUE ? 0
                : TimeUnit.MILLISECONDS.toNanos(lastDeadlineMs - estimatedLogTimeMs + 1);
    }

    /**
     * How long this contender should still let others go first after the fold last turned free, so that the waiters
     * woken by one release do not all claim at once (each such claim but one loses, must be withdrawn, and keeps
     * the lock looking held until its withdrawal lands). Every reader folds the same records, so every contender
     * computes the same order: the contenders seen claiming, sorted, starting after the last holder (the releaser
     * goes last); each place waits one slot: 1.5 times the time a claim of this contender takes (moving average) from
     * its send until this reader folds it, or one tick before the first.
     * 0 while the fold shows the lock held, and for the first in turn. A hint only: tryLock decides nothing by it.
     */
    public long turnWaitNanos() {
        if (!foldShowsFree) {
            return 0;
        }
        List<String> order = contenders;
        int n = order.size();
        if (n == 1) {
            return 0;
        }
        int mine = Collections.binarySearch(order, key.contender());
        String previous = lastHolder;
        int last = previous == null ? -1 : Collections.binarySearch(order, previous);
        int place = Math.floorMod(mine - last - 1, n);
        long visible = claimVisibleNanos;
        long slot = visible == 0 ? config.tick().toNanos() : visible + visible / 2;
        return Math.max(0, freeSinceNanos + place * slot - clock.nanoTime());
    }

    /**
     * Releases the lock: produces this key's tombstone. A grant that is no longer this contender's
     * current one (already released, or replaced after it expired) is ignored.
     *
     * @return the release tombstone's offset once acknowledged; -1 when there was nothing to release
     */
    public CompletableFuture<Long> unlock(LockGrant grant) {
        Objects.requireNonNull(grant, "grant");
        if (!grant.key().equals(key)) {
            throw new IllegalArgumentException("grant of " + grant.key() + " unlocked through the lock of " + key);
        }
        if (current.get() != grant) {
            return CompletableFuture.completedFuture(-1L);
        }
        // The tombstone is queued before the grant is cleared, so no claim of a later tryLock can precede it.
        CompletableFuture<Long> released = sendTombstone(keyText);
        current.compareAndSet(grant, null);
        return released;
    }

    /**
     * Releases the current grant if its token is {@code token}: for callers that keep only the token
     * (the kernel's {@code OomLock.unlock(OomLockToken)}).
     *
     * @return the release tombstone's offset once acknowledged; -1 when no current grant has that token
     */
    public CompletableFuture<Long> unlock(long token) {
        LockGrant held = current.get();
        if (held == null || held.token() != token) {
            return CompletableFuture.completedFuture(-1L);
        }
        return unlock(held);
    }

    /** Whether this contender holds the lock now by its own monotonic clock. */
    public boolean isHeldByMe() {
        LockGrant held = current.get();
        return held != null && held.isValidAt(clock.nanoTime());
    }

    private void withdraw(LockGrant held) {
        sendTombstone(keyText);
        current.compareAndSet(held, null);
    }

    private CompletableFuture<Long> sendTombstone(String tombstoneKey) {
        CompletableFuture<Long> offset = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(config.topic(), 0, tombstoneKey, null), (metadata, error) -> {
            if (error != null) {
                if (tombstoneKey.equals(keyText)) {
                    withdrawNeeded = true;
                }
                offset.completeExceptionally(error);
            } else {
                offset.complete(metadata.offset());
            }
        });
        return offset;
    }

    /** The fold: runs on the log's reader thread for every record of the lock topic. */
    private void fold(ConsumerRecord<String, byte[]> record) {
        LockRecord lockRecord = decoder.decode(record.offset(), record.timestamp(), record.key(), record.value());
        if (lockRecord instanceof LockRecord.Other
                && (record.key() == null || record.key().startsWith(config.lock() + "/"))) {
            metrics.undecodable();
        }
        Optional<Acquisition> acquisition = state.apply(lockRecord);
        long foldedAt = clock.nanoTime();
        folded = new Folded(state.view(), foldedAt);
        if (lockRecord instanceof LockRecord.ClaimRecord claim && claim.key().lock().equals(config.lock())
                && contendersSeen.add(claim.key().contender())) {
            contenders = List.copyOf(contendersSeen);
        }
        if (lockRecord instanceof LockRecord.ClaimRecord claim && claim.key().equals(key)
                && claim.requestId().equals(pendingRequestId)) {
            long visible = foldedAt - pendingSentAtNanos;
            long average = claimVisibleNanos;
            claimVisibleNanos = average == 0 ? visible : average + (visible - average) / 8;
            boolean acquired = state.holder().map(h -> h.rank() == claim.offset()).orElse(false);
            decision = new Decision(claim.requestId(), claim.offset(), claim.appendTimeMs(), acquired);
        }
        if (acquisition.isPresent()) {
            Acquisition a = acquisition.get();
            lastHolder = a.holder().key().contender();
            metrics.holderChanged(a.token(), a.isTakeoverAfterExpiry());
            for (Consumer<Acquisition> listener : acquisitionListeners) {
                listener.accept(a);
            }
        } else if (state.holder().isEmpty()) {
            metrics.holderFree();
        }
        boolean free = state.holder().isEmpty();
        if (free != foldShowsFree) {
            if (free) {
                freeSinceNanos = foldedAt;
                foldShowsFree = true;
                freeSignal.complete(null);
            } else {
                freeSignal = new CompletableFuture<>();
                foldShowsFree = false;
            }
        }
    }

    /**
     * Calls {@code listener} on the reader thread for every acquisition the fold sees, from the
     * beginning of the topic on (the holder history, as it tails); e.g. a {@link FencingCheck}.
     */
    public void addAcquisitionListener(Consumer<Acquisition> listener) {
        acquisitionListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** A fencing check fed by this lock's fold. */
    public FencingCheck fencingCheck() {
        FencingCheck check = new FencingCheck();
        check.observeAcquisition(state.highestAcquiredToken());
        addAcquisitionListener(a -> check.observeAcquisition(a.token()));
        return check;
    }

    /** The highest token the fold has seen acquire the lock so far; -1 if none. */
    public long highestAcquiredToken() {
        return state.highestAcquiredToken();
    }

    /** The fold as of the last record read: claims, log time, offset. */
    public LockState.View view() {
        return folded.view();
    }

    /** The grant this contender holds, if any (it may have run out by the holder's clock). */
    public Optional<LockGrant> currentGrant() {
        return Optional.ofNullable(current.get());
    }

    public LockKey key() {
        return key;
    }

    public LockConfig config() {
        return config;
    }

    private CompactedTopicLock start(Map<String, Object> clientConfig, Duration timeout) {
        if (clientConfig != null) {
            try (Admin admin = Admin.create(clientConfig)) {
                LockTopic.ensure(admin, config.topic(), config.minCompactionLag().toMillis());
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                log.close();
                throw e;
            }
        }
        log.start(timeout);
        List<CompletableFuture<Long>> cleared = new ArrayList<>();
        for (Claim earlier : folded.view().earlierIncarnationsOf(key)) {
            LOG.info("withdrawing {} (claim at offset {}) left by an earlier incarnation of {}", earlier.key(),
                    earlier.rank(), key.contender());
            cleared.add(sendTombstone(earlier.key().asString()));
        }
        long lastWithdrawal = -1;
        for (CompletableFuture<Long> c : cleared) {
            lastWithdrawal = Math.max(lastWithdrawal,
                    CompactedTopicLog.await(c, timeout, "withdraw a claim of an earlier incarnation"));
        }
        if (lastWithdrawal >= 0) {
            // A write counts once the writer has read it back.
            CompactedTopicLog.await(log.awaitPassed(lastWithdrawal), timeout, "read back the withdrawals");
        }
        return this;
    }

    /** Releases a grant still held, withdraws this key's claim, and closes the producer and reader. */
    @Override
    public void close() {
        try {
            LockGrant held = current.getAndSet(null);
            if (held != null || withdrawNeeded) {
                sendTombstone(keyText);
            }
            producer.flush();
        } catch (RuntimeException e) {
            LOG.warn("closing lock {}: withdrawal failed", keyText, e);
        } finally {
            producer.close(Duration.ofSeconds(5));
            log.close();
        }
    }

    private record Folded(LockState.View view, long atNanos) {
    }

    private record Decision(String requestId, long offset, long appendTimeMs, boolean acquired) {
    }

    /** Builds and starts a {@link CompactedTopicLock}. */
    public static final class Builder {
        private final LockConfig config;
        private final Map<String, Object> clientConfig;
        private ClaimCodec codec = AvroClaimCodec.INSTANCE;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private MonotonicClock clock = MonotonicClock.SYSTEM;
        private RandomGenerator random = new SplittableRandom();
        private Duration startTimeout = Duration.ofSeconds(30);
        private Clients clients;

        private Builder(LockConfig config, Map<String, Object> clientConfig) {
            this.config = Objects.requireNonNull(config, "config");
            this.clientConfig = Map.copyOf(clientConfig);
        }

        /** The claim codec; the Avro {@code LockClaim} unless a test needs another. */
        public Builder codec(ClaimCodec claimCodec) {
            this.codec = Objects.requireNonNull(claimCodec, "codec");
            return this;
        }

        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.registry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        public Builder clock(MonotonicClock monotonicClock) {
            this.clock = Objects.requireNonNull(monotonicClock, "clock");
            return this;
        }

        public Builder random(RandomGenerator randomGenerator) {
            this.random = Objects.requireNonNull(randomGenerator, "random");
            return this;
        }

        Builder clients(Clients given) {
            this.clients = given;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "startTimeout");
            return this;
        }

        /**
         * Ensures the topic (refusing a misconfigured one), reads it to the end, withdraws the claims of
         * this contender's earlier incarnations, and returns the running lock.
         *
         * @throws dev.oomsim.schemas.topics.TopicMismatchException when an existing lock topic breaks the protocol's
         *                                                          settings
         */
        public CompactedTopicLock start() {
            return new CompactedTopicLock(this).start(clients == null ? clientConfig : null, startTimeout);
        }
    }
}
