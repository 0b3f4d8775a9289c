package dev.oomsim.lock;

/**
 * The holder's own monotonic clock: a grant's expiry and the estimate of log time on an idle log
 * are judged by it, never by the wall clock. Injected so tests can move it by hand.
 */
@FunctionalInterface
public interface MonotonicClock {

    MonotonicClock SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanoTime();
}
