package dev.oomsim.kernel.oom;

import dev.oomsim.kernel.image.RatelimitImage;

/**
 * Mirrors {@code ___ratelimit}, lib/ratelimit.c, on a logical clock given by the caller (the model has no clock). A
 * negative time means "no clock": nothing is limited. Mutable; owned by the model's thread.
 */
public final class Ratelimit {
    /** {@code DEFAULT_RATELIMIT_INTERVAL}: 5 s. */
    public static final long DEFAULT_INTERVAL_MS = 5000;
    /** {@code DEFAULT_RATELIMIT_BURST}. */
    public static final int DEFAULT_BURST = 10;

    private final long intervalMs;
    private final int burst;
    private long beginMs = -1;
    private int printed;

    /** A limiter of {@code burst} events per {@code intervalMs}. */
    public Ratelimit(long intervalMs, int burst) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("intervalMs: must be > 0, got " + intervalMs);
        }
        if (burst < 0) {
            throw new IllegalArgumentException("burst: must be >= 0, got " + burst);
        }
        this.intervalMs = intervalMs;
        this.burst = burst;
    }

    /** The kernel's default: 10 per 5 s. */
    public static Ratelimit kernelDefault() {
        return new Ratelimit(DEFAULT_INTERVAL_MS, DEFAULT_BURST);
    }

    /** True when an event at logical time {@code nowMs} may print. */
    public boolean allow(long nowMs) {
        if (nowMs < 0) {
            return true;
        }
        if (beginMs < 0 || nowMs > beginMs + intervalMs) {
            beginMs = nowMs;
            printed = 0;
        }
        if (burst > printed) {
            printed++;
            return true;
        }
        return false;
    }

    /** An image of the interval state. */
    public RatelimitImage captureImage() {
        return new RatelimitImage(beginMs, printed);
    }

    /** Overwrites the interval state with {@code image}'s. */
    public void restoreImage(RatelimitImage image) {
        beginMs = image.beginMs();
        printed = image.printed();
    }
}
