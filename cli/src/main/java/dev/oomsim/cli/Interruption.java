package dev.oomsim.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM while a long-running subcommand works: the JVM's shutdown hook asks the command to stop
 * and then waits (bounded) until the command has closed what it started — agents, coordinator, broker, in that
 * order — so nothing is cut off half way. The command polls {@link #requested()} or waits in {@link #await(Duration)},
 * and closes this last (try-with-resources, declared first).
 */
final class Interruption implements AutoCloseable {

    /** How long the hook lets the command close everything before the JVM goes down anyway. */
    static final Duration CLOSE_BUDGET = Duration.ofSeconds(60);

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;

    private Interruption() {
        this.hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(CLOSE_BUDGET.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "oomsim-shutdown");
    }

    static Interruption install() {
        Interruption i = new Interruption();
        Runtime.getRuntime().addShutdownHook(i.hook);
        return i;
    }

    /** Whether Ctrl-C (or SIGTERM) asked the command to stop. */
    boolean requested() {
        return stop.getCount() == 0;
    }

    /** Waits up to {@code timeout} for a stop request; true when one came. */
    boolean await(Duration timeout) {
        try {
            return stop.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** The command has closed what it started: the shutdown (if one is under way) may go on. */
    @Override
    public void close() {
        closed.countDown();
        if (!requested()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already going down: the hook runs and returns at once
            }
        }
    }
}
