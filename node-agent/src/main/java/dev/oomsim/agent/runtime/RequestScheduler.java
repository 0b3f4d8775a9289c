package dev.oomsim.agent.runtime;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.SynchronousQueue;
import java.util.function.Function;

/**
 * Runs requests as coroutines so the kernel's straight-line code can wait for another node without blocking
 * the agent (docs/node-agent-design.md). A request runs on a parked worker thread of its own while it lives (a worker
 * whose request ended takes the next one: a thread start costs far more than a hand-off), but only one thing
 * ever runs at a time: {@link #start} and {@link #resume} hand control to the request and return only when it
 * {@linkplain Suspension#await suspends} on a call or ends. The owner thread therefore sees a deterministic
 * sequence of {@link Step}s that depends only on the order in which it starts and resumes requests. A request that
 * provably never waits can {@linkplain #runInline run on the owner} instead, sparing the two hand-offs (each a wake-up
 * of the other thread), which cost far more than such a request's own work.
 *
 * <p>Owned by one thread (the agent's command-log loop); {@link Suspension#await} is called only by the
 * request's own worker.
 *
 * @param <C> what a suspended request asks for (a call to another node, a lock attempt)
 * @param <R> what it is resumed with
 * @param <O> what a finished request returns
 */
public final class RequestScheduler<C, R, O> implements AutoCloseable {

    /** What the owner sees after handing control to a request. */
    public sealed interface Step<C, O> {
        String requestId();
    }

    /** The request waits for {@code call}; resume it with the answer. */
    public record Suspended<C, O>(String requestId, C call) implements Step<C, O> {
    }

    /** The request ended with {@code outcome}. */
    public record Completed<C, O>(String requestId, O outcome) implements Step<C, O> {
    }

    /** The request's code threw: a bug or bad input; the request is gone. */
    public record Failed<C, O>(String requestId, RuntimeException error) implements Step<C, O> {
    }

    /** Given to a request's body: the only way it can wait. */
    public interface Suspension<C, R> {
        /** Suspends the request until the owner resumes it with the answer to {@code call}. */
        R await(C call);
    }

    private final String threadPrefix;
    private final Map<String, Worker> suspended = new HashMap<>();
    /** Workers whose request ended, waiting for the next: a thread start costs far more than a hand-off. */
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private boolean closed;

    public RequestScheduler(String threadPrefix) {
        this.threadPrefix = Objects.requireNonNull(threadPrefix, "threadPrefix");
    }

    /** Starts a request and runs it until it suspends or ends. */
    public Step<C, O> start(String requestId, Function<Suspension<C, R>, O> body) {
        if (closed) {
            throw new IllegalStateException("scheduler closed");
        }
        if (suspended.containsKey(requestId)) {
            throw new IllegalArgumentException("request " + requestId + " is already running");
        }
        Worker worker = idle.poll();
        if (worker == null) {
            worker = new Worker();
            worker.thread.start();
        }
        worker.requestId = requestId;
        try {
            worker.toWorker.put(new Job<>(body));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting request " + requestId, e);
        }
        return settle(worker, worker.awaitStep());
    }

    /**
     * Runs a request that cannot suspend on the calling thread, to its end, without the two hand-offs of
     * {@link #start}: for bodies that provably never wait (the caller's judgement). Should the body wait anyway, that
     * is a bug, and the request fails instead of blocking the owner.
     */
    public Step<C, O> runInline(String requestId, Function<Suspension<C, R>, O> body) {
        if (closed) {
            throw new IllegalStateException("scheduler closed");
        }
        if (suspended.containsKey(requestId)) {
            throw new IllegalArgumentException("request " + requestId + " is already running");
        }
        try {
            return new Completed<>(requestId, body.apply(call -> {
                throw new IllegalStateException("request " + requestId + " ran inline and cannot wait for " + call);
            }));
        } catch (RuntimeException e) {
            return new Failed<>(requestId, e);
        }
    }

    /** Resumes a suspended request with the answer to its call and runs it until it suspends again or ends. */
    public Step<C, O> resume(String requestId, R answer) {
        Worker worker = suspended.remove(requestId);
        if (worker == null) {
            throw new IllegalArgumentException("no suspended request " + requestId);
        }
        try {
            worker.toWorker.put(new Resume<>(answer));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resuming request " + requestId, e);
        }
        return settle(worker, worker.awaitStep());
    }

    /** Whether {@code requestId} waits for an answer. */
    public boolean isSuspended(String requestId) {
        return suspended.containsKey(requestId);
    }

    /** How many requests wait for an answer. */
    public int suspendedCount() {
        return suspended.size();
    }

    /** Abandons every suspended request (their threads end); the scheduler cannot be used afterwards. */
    @Override
    public void close() {
        closed = true;
        for (Worker w : suspended.values()) {
            w.thread.interrupt();
        }
        for (Worker w : idle) {
            w.thread.interrupt();
        }
        suspended.clear();
        idle.clear();
    }

    private Step<C, O> settle(Worker worker, Step<C, O> step) {
        if (step instanceof Suspended) {
            suspended.put(worker.requestId, worker);
        } else {
            idle.push(worker);
        }
        return step;
    }

    private record Resume<R>(R answer) {
    }

    private record Job<C, R, O>(Function<Suspension<C, R>, O> body) {
    }

    private final class Worker {
        volatile String requestId;
        final Thread thread;
        /** The owner's message to the worker: a job to run, or the answer it waits for. */
        final SynchronousQueue<Object> toWorker = new SynchronousQueue<>();
        /** The worker's message to the owner: where it stopped. */
        final SynchronousQueue<Step<C, O>> toOwner = new SynchronousQueue<>();

        Worker() {
            this.thread = new Thread(this::loop, threadPrefix + "-worker");
            this.thread.setDaemon(true);
        }

        @SuppressWarnings("unchecked")
        private void loop() {
            while (true) {
                Object m;
                try {
                    m = toWorker.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (!run(((Job<C, R, O>) m).body())) {
                    return;
                }
            }
        }

        private boolean run(Function<Suspension<C, R>, O> body) {
            Step<C, O> last;
            String id = requestId;
            try {
                O outcome = body.apply(call -> {
                    put(new Suspended<>(id, call));
                    return take().answer();
                });
                last = new Completed<>(id, outcome);
            } catch (Abandoned e) {
                return false;
            } catch (RuntimeException e) {
                last = new Failed<>(id, e);
            }
            try {
                toOwner.put(last);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private void put(Step<C, O> step) {
            try {
                toOwner.put(step);
            } catch (InterruptedException e) {
                throw new Abandoned();
            }
        }

        @SuppressWarnings("unchecked")
        private Resume<R> take() {
            try {
                return (Resume<R>) toWorker.take();
            } catch (InterruptedException e) {
                throw new Abandoned();
            }
        }

        Step<C, O> awaitStep() {
            try {
                return toOwner.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while request " + requestId + " ran", e);
            }
        }
    }

    /** Thrown inside an abandoned request's worker to unwind it. */
    private static final class Abandoned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abandoned() {
            super(null, null, false, false);
        }
    }
}
