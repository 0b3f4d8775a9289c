package dev.oomsim.agent;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.oomsim.lock.CompactedTopicLock;
import dev.oomsim.lock.LockConfig;
import dev.oomsim.lock.LockGrant;
import dev.oomsim.lock.LockState;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * {@link ClusterLock} over the compacted-topic lock of docs/lock-protocol.md, one contender incarnation per agent
 * start.
 */
public final class CompactedTopicClusterLock implements ClusterLock {

    private final CompactedTopicLock lock;

    /** A contender with {@code oom-lock}'s default lease. */
    public CompactedTopicClusterLock(String bootstrapServers, String topic, String contender, MeterRegistry registry) {
        this(bootstrapServers, topic, contender, LockConfig.defaults(topic, contender).lease(), registry);
    }

    /**
     * A contender whose claims are live for {@code lease} after their append time; it stops acting as holder a tenth
     * of the lease before it runs out (the default lease of 10 s keeps its 1 s margin).
     */
    public CompactedTopicClusterLock(String bootstrapServers, String topic, String contender, Duration lease,
            MeterRegistry registry) {
        this.lock = CompactedTopicLock.builder(LockConfig.defaults(topic, contender)
                .withLease(lease, lease.dividedBy(10)),
                        Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))
                .meterRegistry(registry)
                .start();
    }

    @Override
    public Optional<Long> tryLock() {
        return lock.tryLock().map(LockGrant::token);
    }

    @Override
    public void unlock(long token) {
        lock.unlock(token);
    }

    @Override
    public boolean holds(long token) {
        return lock.isHeldByMe() && lock.currentGrant().map(g -> g.token() == token).orElse(false);
    }

    @Override
    public boolean isHeld() {
        if (lock.isHeldByMe()) {
            return true;
        }
        // This agent's own released claim stays in the fold until its tombstone is read back, but holds nothing: the
        // holder is then the lowest live claim of the others.
        LockState.View view = lock.view();
        return view.anotherLiveClaim(lock.key(), view.logTimeMs());
    }

    @Override
    public void close() {
        lock.close();
    }
}
