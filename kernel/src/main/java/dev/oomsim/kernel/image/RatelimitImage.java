package dev.oomsim.kernel.image;

/**
 * Mirrors the mutable part of {@code struct ratelimit_state} ({@code oom_rs}, {@code nopage_rs}): the start of the
 * current interval on the logical clock (-1 before the first limited event) and how many events printed in it.
 */
public record RatelimitImage(long beginMs, int printed) {

    /** Validates the fields. */
    public RatelimitImage {
        if (beginMs < -1) {
            throw new IllegalArgumentException("ratelimit begin: must be >= -1, got " + beginMs);
        }
        if (printed < 0) {
            throw new IllegalArgumentException("ratelimit printed: must be >= 0, got " + printed);
        }
    }
}
