package dev.oomsim.lock.contention;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.oomsim.lock.CompactedTopicLock;
import dev.oomsim.lock.LockGrant;

/**
 * A contender for load runs: calls tryLock until a shared budget of attempts runs out, holds each grant
 * for {@code holdNanos}, releases it, and records every tryLock's latency and every grant's interval.
 * Never a sleeping thread; how it paces its retries is a {@link Pacing}.
 */
public final class LockContender implements AutoCloseable {

    /** When a contender that was refused tries again. Neither ever claims before the lock's back-off hint. */
    public enum Pacing {
        /**
         * The kernel's way: after a refusal, retry after the lock's hint ({@link CompactedTopicLock#retryAfterNanos()}:
         * one tick, or the rest of the back-off after a lost claim); after a release, one tick. Every waiter that
         * finds the lock free on its tick claims, so one release is raced by most waiters: the stress case.
         */
        EVERY_TICK,
        /**
         * Wait for the fold rather than poll it: while the fold shows the lock held, until it shows it free
         * ({@link CompactedTopicLock#whenFree()}) or every live claim's lease has run out by estimated log time (a
         * holder that died frees the lock without a record); once free, after this contender's turn
         * ({@link CompactedTopicLock#turnWaitNanos()}), so that one release wakes one claimer rather than all. A
         * tryLock while the fold shows another live claim would be refused locally anyway: waiting for the fold
         * instead of polling it changes no outcome, only when the retry happens.
         */
        TAKE_TURNS
    }

    /**
     * One grant as the contender saw it: held from the grant's acquiredAtNanos to {@code endNanos}, released at {@code
     * releaseOffset} (-1 if the release failed).
     */
    public record Held(LockGrant grant, long endNanos, long releaseOffset) {
    }


    private final CompactedTopicLock lock;
    private final long holdNanos;
    private final AtomicLong budget;
    private final Pacing pacing;
    private final ScheduledExecutorService executor;
    private final List<Held> intervals = new ArrayList<>();
    private final List<CompletableFuture<Void>> releases = new ArrayList<>();
    private final LatencySamples acquiredNanos = new LatencySamples();
    private final LatencySamples refusedNanos = new LatencySamples();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile long attempts;
    private long wakeGeneration;

    public LockContender(CompactedTopicLock lock, long holdNanos, AtomicLong budget, Pacing pacing) {
        this.lock = lock;
        this.pacing = Objects.requireNonNull(pacing, "pacing");
        this.holdNanos = holdNanos;
        this.budget = budget;
        ScheduledThreadPoolExecutor single = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "contender-" + lock.key().contender());
            t.setDaemon(true);
            return t;
        });
        // A lease timer is cancelled whenever the fold frees the lock first: do not keep thousands of them queued.
        single.setRemoveOnCancelPolicy(true);
        this.executor = single;
    }

    /** Starts attempting; completes when the budget is spent and every release is acknowledged. */
    public CompletableFuture<Void> start() {
        executor.execute(this::attempt);
        return done;
    }

    private void attempt() {
        try {
            if (budget.getAndDecrement() <= 0) {
                CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new))
                        .whenComplete((v, e) -> done.complete(null));
                return;
            }
            attempts++;
            long start = System.nanoTime();
            Optional<LockGrant> grant = lock.tryLock();
            long latency = System.nanoTime() - start;
            if (grant.isEmpty()) {
                refusedNanos.add(latency);
                executor.schedule(pacing == Pacing.TAKE_TURNS ? this::whenDue : this::attempt, lock.retryAfterNanos(),
                        TimeUnit.NANOSECONDS);
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

    /**
     * {@link Pacing#TAKE_TURNS}, on the executor: attempt now if the fold shows the lock free and it is this
     * contender's turn; otherwise wait.
     */
    private void whenDue() {
        try {
            if (lock.whenFree().isDone()) {
                long turn = lock.turnWaitNanos();
                if (turn > 0) {
                    executor.schedule(this::whenDue, turn, TimeUnit.NANOSECONDS);
                } else {
                    attempt();
                }
                return;
            }
            long generation = ++wakeGeneration;
            // Whichever comes first: the leases running out on an idle log (a holder that died), or a fold that shows
            // the lock free; that one is handled on the reader thread, which schedules this contender's turn at once.
            ScheduledFuture<?> leasesRunOut = executor.schedule(() -> wake(generation, this::attempt),
                    lock.liveClaimsExpireInNanos() + lock.config().tick().toNanos(), TimeUnit.NANOSECONDS);
            lock.whenFree().thenRun(() -> {
                leasesRunOut.cancel(false);
                executor.schedule(() -> wake(generation, this::whenDue), lock.turnWaitNanos(), TimeUnit.NANOSECONDS);
            });
        } catch (Throwable t) {
            done.completeExceptionally(t);
        }
    }

    private void wake(long generation, Runnable next) {
        if (generation == wakeGeneration) {
            wakeGeneration++;
            next.run();
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
        if (pacing == Pacing.TAKE_TURNS) {
            whenDue();
        } else {
            executor.schedule(this::attempt, lock.config().tick().toNanos(), TimeUnit.NANOSECONDS);
        }
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
