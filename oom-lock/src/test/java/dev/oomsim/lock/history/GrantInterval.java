package dev.oomsim.lock.history;

/**
 * What a contender recorded about one grant it received: the key it claimed under, the token,
 * when it started acting as holder and when it stopped (its own monotonic clock), and the offset
 * of its release tombstone (-1 when it never released).
 */
public record GrantInterval(String key, long token, long acquiredAtNanos, long endNanos, long releaseOffset) {
}
