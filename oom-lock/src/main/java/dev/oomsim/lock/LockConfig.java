package dev.oomsim.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything one contender's lock needs to know.
 *
 * @param topic             the lock topic
 * @param lock              the lock's name, first part of every key ({@code oom_lock})
 * @param contender         this contender (a node id), second part of the key
 * @param incarnation       new at every start, third part of the key
 * @param lease             how long a claim is live after its append time
 * @param safetyMargin      the holder stops acting as holder this long before (send time + lease)
 * @param minCompactionLag  M: the topic's {@code min.compaction.lag.ms} must be at least this,
 *                          far above the lease and any reader's catch-up time
 * @param decisionTimeout   a claim whose offset the reader has not passed this long after the
 *                          send is withdrawn; at most M/2
 * @param sendTimeout       how long a produce may take before it counts as failed
 * @param tick              the retry tick of the caller (the kernel's one jiffy)
 * @param maxBackoffTicks   N: after a claim that did not win, the lock refuses locally for a
 *                          jittered 1..N ticks
 */
public record LockConfig(String topic, String lock, String contender, String incarnation,
                         Duration lease, Duration safetyMargin, Duration minCompactionLag,
                         Duration decisionTimeout, Duration sendTimeout, Duration tick, int maxBackoffTicks) {

    public LockConfig {
        Objects.requireNonNull(topic, "topic");
        new LockKey(lock, contender, incarnation);
        requirePositive("lease", lease);
        Objects.requireNonNull(safetyMargin, "safetyMargin");
        if (safetyMargin.isNegative() || safetyMargin.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("safetyMargin must be >= 0 and below lease " + lease + ": "
                    + safetyMargin);
        }
        requirePositive("minCompactionLag", minCompactionLag);
        if (minCompactionLag.compareTo(lease) <= 0) {
            throw new IllegalArgumentException("minCompactionLag must be far above lease " + lease + ": "
                    + minCompactionLag);
        }
        requirePositive("decisionTimeout", decisionTimeout);
        if (decisionTimeout.compareTo(minCompactionLag.dividedBy(2)) > 0) {
            throw new IllegalArgumentException("decisionTimeout must be at most minCompactionLag/2 = "
                    + minCompactionLag.dividedBy(2) + ": " + decisionTimeout);
        }
        requirePositive("sendTimeout", sendTimeout);
        requirePositive("tick", tick);
        if (maxBackoffTicks < 1) {
            throw new IllegalArgumentException("maxBackoffTicks must be >= 1: " + maxBackoffTicks);
        }
    }

    /**
     * Production defaults for {@code contender} on {@code topic}: lock {@code oom_lock}, a fresh
     * UUID incarnation, lease 10 s with a 1 s margin, M = 10 min, decisions within M/2, 5 s sends,
     * a 4 ms tick (HZ=250), back-off up to 8 ticks.
     */
    public static LockConfig defaults(String topic, String contender) {
        Duration m = Duration.ofMinutes(10);
        return new LockConfig(topic, "oom_lock", contender, UUID.randomUUID().toString(),
                Duration.ofSeconds(10), Duration.ofSeconds(1), m, m.dividedBy(2), Duration.ofSeconds(5),
                Duration.ofMillis(4), 8);
    }

    public LockKey key() {
        return new LockKey(lock, contender, incarnation);
    }

    public LockConfig withLease(Duration newLease, Duration newSafetyMargin) {
        return new LockConfig(topic, lock, contender, incarnation, newLease, newSafetyMargin, minCompactionLag,
                decisionTimeout, sendTimeout, tick, maxBackoffTicks);
    }

    /** Sets M and a decision timeout of M/2. */
    public LockConfig withMinCompactionLag(Duration m) {
        return new LockConfig(topic, lock, contender, incarnation, lease, safetyMargin, m,
                m.dividedBy(2), sendTimeout, tick, maxBackoffTicks);
    }

    public LockConfig withIncarnation(String newIncarnation) {
        return new LockConfig(topic, lock, contender, newIncarnation, lease, safetyMargin, minCompactionLag,
                decisionTimeout, sendTimeout, tick, maxBackoffTicks);
    }

    public LockConfig withSendTimeout(Duration newSendTimeout) {
        return new LockConfig(topic, lock, contender, incarnation, lease, safetyMargin, minCompactionLag,
                decisionTimeout, newSendTimeout, tick, maxBackoffTicks);
    }

    public LockConfig withBackoff(Duration newTick, int newMaxBackoffTicks) {
        return new LockConfig(topic, lock, contender, incarnation, lease, safetyMargin, minCompactionLag,
                decisionTimeout, sendTimeout, newTick, newMaxBackoffTicks);
    }

    private static void requirePositive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(field + " must be > 0: " + value);
        }
    }
}
