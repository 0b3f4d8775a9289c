package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lock's rules, without a broker and without waiting: log time and the holder's clock move by hand. */
class CompactedTopicLockTest {

    private static final long LEASE_MS = 1_000;
    private static final long MARGIN_MS = 100;
    private static final long TICK_MS = 4;
    private static final int MAX_BACKOFF_TICKS = 8;

    private final FakeLockTopic topic = new FakeLockTopic();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private CompactedTopicLock lock;

    private CompactedTopicLock start(String incarnation) {
        LockConfig config = LockConfig.defaults(FakeLockTopic.TOPIC, "node-a").withIncarnation(incarnation)
                .withLease(Duration.ofMillis(LEASE_MS), Duration.ofMillis(MARGIN_MS))
                .withBackoff(Duration.ofMillis(TICK_MS), MAX_BACKOFF_TICKS);
        lock = CompactedTopicLock.builder(config, Map.of()).clients(topic.clients()).clock(topic.clock)
                .random(new SplittableRandom(7)).meterRegistry(registry).start();
        return lock;
    }

    @AfterEach
    void close() {
        if (lock != null) {
            lock.close();
        }
    }

    private void foldedUpTo(long offset) {
        await().atMost(Duration.ofSeconds(5)).until(() -> lock.view().lastOffset() >= offset);
    }

    private static boolean isTombstoneOf(ProducerRecord<String, byte[]> r, String key) {
        return r.key().equals(key) && r.value() == null;
    }

    private static boolean isClaimOf(ProducerRecord<String, byte[]> r, String key) {
        return r.key().equals(key) && r.value() != null;
    }

    @Test
    void refusesLocallyWithoutWritingWhileAnotherKeyHoldsALiveClaimByTheEstimatedLogTime() {
        start("1");
        long other = topic.append("oom_lock/node-b/1", new ClaimValue("node-b", "1", "1", LEASE_MS));
        foldedUpTo(other);

        assertThat(lock.tryLock()).isEmpty();
        topic.clock.advanceMs(LEASE_MS);
        assertThat(lock.tryLock()).as("live at its deadline").isEmpty();
        assertThat(topic.written()).hasSize(1);

        topic.clock.advanceMs(1);
        Optional<LockGrant> grant = lock.tryLock();

        assertThat(grant).map(LockGrant::token).contains(1L);
        assertThat(registry.get("oomsim.lock.trylock").tag("outcome", "refused_local").timer().count()).isEqualTo(2);
        assertThat(registry.get("oomsim.lock.takeovers").counter().count()).isEqualTo(1);
    }

    @Test
    void theGrantRunsOutByTheHoldersOwnClockAtSendTimePlusLeaseMinusMargin() {
        start("1");
        long before = topic.clock.nanoTime();
        LockGrant grant = lock.tryLock().orElseThrow();

        assertThat(grant.validUntilNanos()).isEqualTo(before + Duration.ofMillis(LEASE_MS - MARGIN_MS).toNanos());
        assertThat(lock.tryLock()).as("a held lock is not taken again").isEmpty();
        topic.clock.advanceMs(LEASE_MS - MARGIN_MS - 1);
        assertThat(lock.isHeldByMe()).isTrue();
        topic.clock.advanceMs(1);
        assertThat(lock.isHeldByMe()).isFalse();

        LockGrant again = lock.tryLock().orElseThrow();
        List<ProducerRecord<String, byte[]>> w = topic.written();
        String key = lock.key().asString();
        assertThat(isTombstoneOf(w.get(w.size() - 2), key)).as("the stale claim is withdrawn first").isTrue();
        assertThat(isClaimOf(w.get(w.size() - 1), key)).isTrue();
        assertThat(again.token()).isGreaterThan(grant.token());
    }

    @Test
    void aClaimThatLosesAtItsOffsetIsWithdrawnAtOnceAndTheLockBacksOffBeforeClaimingAgain() {
        start("1");
        String competitor = "oom_lock/node-b/1";
        topic.beforeNextSend(() -> topic.append(competitor, new ClaimValue("node-b", "1", "1", LEASE_MS)));

        assertThat(lock.tryLock()).isEmpty();
        List<ProducerRecord<String, byte[]>> w = topic.written();
        String key = lock.key().asString();
        assertThat(w).hasSize(3);
        assertThat(isClaimOf(w.get(1), key)).isTrue();
        assertThat(isTombstoneOf(w.get(2), key)).as("withdrawn at once").isTrue();
        assertThat(registry.get("oomsim.lock.trylock").tag("outcome", "refused_at_offset").timer().count())
                .isEqualTo(1);

        long released = topic.append(competitor, null);
        foldedUpTo(released);
        assertThat(lock.retryAfterNanos()).isBetween(Duration.ofMillis(TICK_MS).toNanos(),
                Duration.ofMillis(TICK_MS * MAX_BACKOFF_TICKS).toNanos());
        assertThat(lock.tryLock()).as("backing off").isEmpty();
        assertThat(topic.written()).hasSize(4);

        topic.clock.advanceMs(TICK_MS * MAX_BACKOFF_TICKS);
        assertThat(lock.tryLock()).isPresent();
    }

    @Test
    void aClaimWhoseSendFailedIsWithdrawnBeforeTheNextClaim() {
        start("1");
        topic.failNextSends(2);

        assertThat(lock.tryLock()).isEmpty();
        assertThat(topic.written()).isEmpty();

        topic.clock.advanceMs(TICK_MS * MAX_BACKOFF_TICKS);
        LockGrant grant = lock.tryLock().orElseThrow();
        List<ProducerRecord<String, byte[]>> w = topic.written();
        String key = lock.key().asString();
        assertThat(isTombstoneOf(w.get(0), key)).isTrue();
        assertThat(isClaimOf(w.get(1), key)).isTrue();
        assertThat(grant.token()).isEqualTo(1);
    }

    @Test
    void aRestartWithdrawsTheClaimsOfEarlierIncarnationsFoundInTheFold() {
        topic.append("oom_lock/node-a/old", new ClaimValue("node-a", "old", "1", LEASE_MS));
        topic.append("oom_lock/node-b/1", new ClaimValue("node-b", "1", "1", LEASE_MS));

        start("new");

        assertThat(topic.written()).anyMatch(r -> isTombstoneOf(r, "oom_lock/node-a/old"));
        assertThat(topic.written()).noneMatch(r -> isTombstoneOf(r, "oom_lock/node-b/1"));
        assertThat(lock.view().earlierIncarnationsOf(lock.key())).isEmpty();
    }

    @Test
    void theFencingCheckFollowsTheFoldsAcquisitions() {
        start("1");
        FencingCheck fencing = lock.fencingCheck();
        LockGrant first = lock.tryLock().orElseThrow();
        lock.unlock(first);
        long other = topic.append("oom_lock/node-b/1", new ClaimValue("node-b", "1", "1", LEASE_MS));
        foldedUpTo(other);

        assertThat(fencing.highestSeen()).isEqualTo(other);
        assertThat(fencing.accept(first.token())).isInstanceOf(FencingCheck.Verdict.Rejected.class);
        assertThat(registry.get("oomsim.lock.holder.token").gauge().value()).isEqualTo(other);
    }

    @Test
    void whenFreeCompletesOnceAFoldedRecordLeavesNoLiveClaimAndTheLeasesTellWhenAnIdleLogFreesIt() {
        start("1");
        assertThat(lock.whenFree()).as("an empty fold").isDone();
        assertThat(lock.liveClaimsExpireInNanos()).isZero();
        long claimed = topic.append("oom_lock/node-b/1", new ClaimValue("node-b", "1", "1", LEASE_MS));
        foldedUpTo(claimed);

        java.util.concurrent.CompletableFuture<Void> free = lock.whenFree();
        assertThat(free).isNotDone();
        assertThat(lock.liveClaimsExpireInNanos()).isEqualTo(Duration.ofMillis(LEASE_MS + 1).toNanos());
        topic.clock.advanceMs(10);
        assertThat(lock.liveClaimsExpireInNanos()).as("by the estimated log time")
                .isEqualTo(Duration.ofMillis(LEASE_MS - 9).toNanos());

        long released = topic.append("oom_lock/node-b/1", null);
        foldedUpTo(released);

        assertThat(free).isDone();
        assertThat(lock.whenFree()).isDone();
        assertThat(lock.liveClaimsExpireInNanos()).isZero();
    }

    @Test
    void turnsGoThroughTheContendersSeenInOrderStartingAfterTheLastHolderWhoGoesLast() {
        start("1");
        long tick = Duration.ofMillis(TICK_MS).toNanos();
        topic.append("oom_lock/node-c/1", new ClaimValue("node-c", "1", "1", LEASE_MS));
        topic.append("oom_lock/node-c/1", null);
        topic.append("oom_lock/node-b/1", new ClaimValue("node-b", "1", "1", LEASE_MS));
        assertThat(lock.turnWaitNanos()).as("no turns while the fold shows the lock held").isZero();
        foldedUpTo(topic.append("oom_lock/node-b/1", null));

        // node-a, node-b, node-c; node-b held it last: node-c first, then node-a, one slot (a tick before any own
        // claim) later.
        assertThat(lock.turnWaitNanos()).isEqualTo(tick);
        topic.clock.advanceMs(TICK_MS);
        assertThat(lock.turnWaitNanos()).isZero();

        topic.append("oom_lock/node-c/1", new ClaimValue("node-c", "1", "2", LEASE_MS));
        foldedUpTo(topic.append("oom_lock/node-c/1", null));
        assertThat(lock.turnWaitNanos()).as("first after node-c").isZero();

        lock.unlock(lock.tryLock().orElseThrow());
        foldedUpTo(topic.written().size() - 1);
        assertThat(lock.turnWaitNanos()).as("the releaser goes last").isEqualTo(2 * tick);
    }
}
