package dev.oomsim.agent;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.oomsim.lock.CompactedTopicLock;
import dev.oomsim.lock.LockConfig;
import dev.oomsim.lock.LockGrant;
import dev.oomsim.lock.LockState;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * {@link ClusterLock} over the compacted-topic lock of docs/lock-protocol.md, one contender incarnation per agent
 * start.
 */
public final class CompactedTopicClusterLock implements ClusterLock {

    private final CompactedTopicLock lock;
    /** Runs the waits of {@link #whenDue}: turn slots and lease run-outs, never the lock's own work. */
    private final ScheduledExecutorService hints;

    /** A contender with {@code oom-lock}'s default lease. */
    public CompactedTopicClusterLock(String bootstrapServers, String topic, String contender, MeterRegistry registry) {
        this(bootstrapServers, topic, contender, LockConfig.defaults(topic, contender).lease(), registry);
    }

    /**
     * A contender whose claims are live for {@code lease} after their append time; it stops acting as holder a tenth
     * of the lease before it runs out (the default lease of 10 s keeps its 1 s margin).
     */
    public CompactedTopicClusterLock(String bootstrapServers, String topic, String contender, Duration lease,
            MeterRegistry registry) {
        this.lock = CompactedTopicLock.builder(LockConfig.defaults(topic, contender)
                .withLease(lease, lease.dividedBy(10)),
                        Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))
                .meterRegistry(registry)
                .start();
        this.hints = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "oom-lock-" + contender + "-hints");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Optional<Long> tryLock() {
        return lock.tryLock().map(LockGrant::token);
    }

    @Override
    public void unlock(long token) {
        lock.unlock(token);
    }

    @Override
    public boolean holds(long token) {
        return lock.isHeldByMe() && lock.currentGrant().map(g -> g.token() == token).orElse(false);
    }

    @Override
    public boolean isHeld() {
        if (lock.isHeldByMe()) {
            return true;
        }
        // This agent's own released claim stays in the fold until its tombstone is read back, but holds nothing: the
        // holder is then the lowest live claim of the others.
        LockState.View view = lock.view();
        return view.anotherLiveClaim(lock.key(), view.logTimeMs());
    }

    /**
     * The turn order of {@code oom-lock}'s contention driver ({@code LockContender}, "take turns"), for a contender
     * that tries like the kernel: once the fold shows the lock free, a refused contender waits its turn
     * ({@code turnWaitNanos}) so that one release wakes one claimer rather than all (each claim but one would lose and
     * keep the lock looking held until its withdrawal lands). While another holds the lock a retry is due at once: the
     * kernel retries after one jiffy whoever holds {@code oom_lock} ({@code schedule_timeout_uninterruptible(1)}), and
     * that retry runs the slow path again, which may succeed without the lock, so the agent must not wait for the lock
     * to be free.
     */
    @Override
    public CompletableFuture<Void> whenDue() {
        CompletableFuture<Void> due = new CompletableFuture<>();
        try {
            whenDue(due);
        } catch (RejectedExecutionException e) {
            due.complete(null); // closed: nothing left to wait for
        }
        return due;
    }

    private void whenDue(CompletableFuture<Void> due) {
        long turn = lock.whenFree().isDone() ? lock.turnWaitNanos() : 0;
        if (turn <= 0) {
            due.complete(null);
        } else {
            hints.schedule(() -> whenDue(due), turn, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() {
        hints.shutdownNow();
        lock.close();
    }
}
