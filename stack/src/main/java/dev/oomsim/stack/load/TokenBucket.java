package dev.oomsim.stack.load;

import java.util.function.LongSupplier;

/**
 * A token bucket on an injected nanosecond clock: {@code ratePerSecond} tokens a second, at most {@code burst}
 * banked. {@link #nanosUntil(int)} says how long to wait before taking tokens, so a caller that waits that long never
 * drifts: tokens accrue from the clock, not from counted sleeps.
 */
public final class TokenBucket {

    private final LongSupplier nanoClock;
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    public TokenBucket(double ratePerSecond, double burst, LongSupplier nanoClock) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number per second, got " + ratePerSecond);
        }
        if (!(burst >= 1)) {
            throw new IllegalArgumentException("burst must be at least 1, got " + burst);
        }
        this.nanoClock = nanoClock;
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.last = nanoClock.getAsLong();
        this.tokens = 0;
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
    }

    /** Takes {@code n} tokens if there are that many now. */
    public boolean tryTake(int n) {
        refill();
        if (tokens >= n) {
            tokens -= n;
            return true;
        }
        return false;
    }

    /** Nanoseconds until {@code n} tokens are there (0 if they are now). */
    public long nanosUntil(int n) {
        refill();
        return tokens >= n ? 0 : (long) Math.ceil((n - tokens) / ratePerNano);
    }
}
