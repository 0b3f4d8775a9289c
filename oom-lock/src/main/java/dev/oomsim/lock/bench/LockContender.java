package dev.oomsim.lock.bench;

import dev.oomsim.lock.CompactedTopicLock;
import dev.oomsim.lock.LockGrant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A contender for load runs: calls tryLock until a shared budget of attempts runs out, holds each grant
 * for {@code holdNanos}, releases it, and records every tryLock's latency and every grant's interval.
 * Retries are scheduled after the lock's back-off hint (no sleeping thread).
 */
public final class LockContender implements AutoCloseable {

    /** One grant as the contender saw it: held from the grant's acquiredAtNanos to {@code endNanos}, released at {@code releaseOffset} (-1 if the release failed). */
    public record Held(LockGrant grant, long endNanos, long releaseOffset) {
    }


    private final CompactedTopicLock lock;
    private final long holdNanos;
    private final AtomicLong budget;
    private final ScheduledExecutorService executor;
    private final List<Held> intervals = new ArrayList<>();
    private final List<CompletableFuture<Void>> releases = new ArrayList<>();
    private final LatencySamples acquiredNanos = new LatencySamples();
    private final LatencySamples refusedNanos = new LatencySamples();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile long attempts;

    public LockContender(CompactedTopicLock lock, long holdNanos, AtomicLong budget) {
        this.lock = lock;
        this.holdNanos = holdNanos;
        this.budget = budget;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "contender-" + lock.key().contender());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts attempting; completes when the budget is spent and every release is acknowledged. */
    public CompletableFuture<Void> start() {
        executor.execute(this::attempt);
        return done;
    }

    private void attempt() {
        try {
            if (budget.getAndDecrement() <= 0) {
                CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> done.complete(null));
                return;
            }
            attempts++;
            long start = System.nanoTime();
            Optional<LockGrant> grant = lock.tryLock();
            long latency = System.nanoTime() - start;
            if (grant.isEmpty()) {
                refusedNanos.add(latency);
                executor.schedule(this::attempt, lock.retryAfterNanos(), TimeUnit.NANOSECONDS);
                return;
            }
            acquiredNanos.add(latency);
            if (holdNanos > 0) {
                executor.schedule(() -> release(grant.get()), holdNanos, TimeUnit.NANOSECONDS);
            } else {
                release(grant.get());
            }
        } catch (Throwable t) {
            done.completeExceptionally(t);
        }
    }

    private void release(LockGrant grant) {
        long end = Math.min(System.nanoTime(), grant.validUntilNanos());
        CompletableFuture<Void> released = lock.unlock(grant).handle((offset, error) -> {
            synchronized (intervals) {
                intervals.add(new Held(grant, end, error == null ? offset : -1));
            }
            return null;
        });
        releases.add(released);
        executor.schedule(this::attempt, lock.config().tick().toNanos(), TimeUnit.NANOSECONDS);
    }

    public List<Held> grants() {
        synchronized (intervals) {
            return List.copyOf(intervals);
        }
    }

    public long attempts() {
        return attempts;
    }

    public LatencySamples acquiredNanos() {
        return acquiredNanos;
    }

    public LatencySamples refusedNanos() {
        return refusedNanos;
    }

    public CompactedTopicLock lock() {
        return lock;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        lock.close();
    }
}
