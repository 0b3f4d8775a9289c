package dev.oomsim.lock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The lock's Micrometer meters, tagged with the lock and contender:
 * {@code oomsim.lock.trylock} (timer, outcome = acquired | refused_local | refused_at_offset),
 * {@code oomsim.lock.grants}, {@code oomsim.lock.takeovers} (the fold saw the holder's lease
 * expire and another claim take over), {@code oomsim.lock.holder.token} (the fold's current
 * holder's token, -1 when free), {@code oomsim.lock.records.undecodable}.
 */
final class LockMetrics {

    private final Timer acquired;
    private final Timer refusedLocal;
    private final Timer refusedAtOffset;
    private final Counter grants;
    private final Counter takeovers;
    private final Counter undecodable;
    private final AtomicLong holderToken = new AtomicLong(-1);

    LockMetrics(MeterRegistry registry, LockKey key) {
        acquired = timer(registry, key, "acquired");
        refusedLocal = timer(registry, key, "refused_local");
        refusedAtOffset = timer(registry, key, "refused_at_offset");
        grants = Counter.builder("oomsim.lock.grants").description("grants to this contender")
                .tag("lock", key.lock()).tag("contender", key.contender()).register(registry);
        takeovers = Counter.builder("oomsim.lock.takeovers")
                .description("acquisitions after the previous holder's lease expired")
                .tag("lock", key.lock()).tag("contender", key.contender()).register(registry);
        undecodable = Counter.builder("oomsim.lock.records.undecodable")
                .description("lock-topic records whose key or value is not a claim: they claim nothing, only move "
                        + "log time")
                .tag("lock", key.lock()).tag("contender", key.contender()).register(registry);
        Gauge.builder("oomsim.lock.holder.token", holderToken, AtomicLong::get)
                .description("fencing token of the current holder in this contender's fold, -1 when free")
                .tag("lock", key.lock()).tag("contender", key.contender()).register(registry);
    }

    private static Timer timer(MeterRegistry registry, LockKey key, String outcome) {
        return Timer.builder("oomsim.lock.trylock").description("tryLock latency by outcome")
                .tag("lock", key.lock()).tag("contender", key.contender()).tag("outcome", outcome)
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    void acquired(long nanos) {
        acquired.record(nanos, TimeUnit.NANOSECONDS);
        grants.increment();
    }

    void refusedLocal(long nanos) {
        refusedLocal.record(nanos, TimeUnit.NANOSECONDS);
    }

    void refusedAtOffset(long nanos) {
        refusedAtOffset.record(nanos, TimeUnit.NANOSECONDS);
    }

    void holderChanged(long token, boolean takeover) {
        holderToken.set(token);
        if (takeover) {
            takeovers.increment();
        }
    }

    void undecodable() {
        undecodable.increment();
    }

    void holderFree() {
        holderToken.set(-1);
    }
}
