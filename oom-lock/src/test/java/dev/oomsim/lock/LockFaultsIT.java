package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.oomsim.lock.history.GrantInterval;
import dev.oomsim.lock.history.HistoryChecker;
import dev.oomsim.lock.history.LockTopicRecorder;
import dev.oomsim.lock.history.RawRecord;
import dev.oomsim.schemas.topics.TopicMismatchException;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Zombies, restarts, late claims and misconfigured topics, on a real broker. */
class LockFaultsIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final Duration MARGIN = Duration.ofMillis(200);

    @Test
    void aHolderPausedPastItsLeaseIsFencedAndItsKillIsRejectedAsStale() throws Exception {
        String topic = KAFKA.uniqueTopic("oom-lock");
        String bootstrap = KAFKA.bootstrapServers();
        SimpleMeterRegistry registryB = new SimpleMeterRegistry();
        try (CompactedTopicLock zombie = LockFixtures.start(bootstrap,
                LockFixtures.config(topic, "node-a", LEASE, MARGIN), new SimpleMeterRegistry());
             CompactedTopicLock next = LockFixtures.start(bootstrap,
                     LockFixtures.config(topic, "node-b", LEASE, MARGIN), registryB);
             CompactedTopicLock agent = LockFixtures.start(bootstrap,
                     LockFixtures.config(topic, "node-c", LEASE, MARGIN), new SimpleMeterRegistry());
             LockTopicRecorder history = LockFixtures.recorder(bootstrap, topic)) {
            FencingCheck killsApplied = agent.fencingCheck();
            LockGrant old = zombie.tryLock().orElseThrow();

            // The zombie pauses: it neither acts nor unlocks. Its own clock tells it when to stop acting as holder.
            assertThat(zombie.isHeldByMe()).isTrue();
            await().atMost(LEASE.plusSeconds(1)).until(() -> !old.isValidAt(System.nanoTime()));
            assertThat(zombie.isHeldByMe()).isFalse();

            AtomicReference<LockGrant> taken = new AtomicReference<>();
            await().atMost(LEASE.plusSeconds(2)).pollInterval(Duration.ofMillis(2))
                    .until(() -> next.tryLock().map(g -> { taken.set(g); return true; }).orElse(false));
            LockGrant fresh = taken.get();

            assertThat(fresh.token()).isGreaterThan(old.token());
            await().atMost(Duration.ofSeconds(5)).until(() -> killsApplied.highestSeen() >= fresh.token());
            assertThat(killsApplied.accept(old.token()))
                    .isEqualTo(new FencingCheck.Verdict.Rejected(old.token(), fresh.token(), "stale fencing token"));
            assertThat(killsApplied.accept(fresh.token()).accepted()).isTrue();
            assertThat(registryB.get("oomsim.lock.takeovers").counter().count()).isGreaterThanOrEqualTo(1);

            long released = next.unlock(fresh).get();
            await().atMost(Duration.ofSeconds(5)).until(() -> history.position() > released);
            HistoryChecker.Result result = HistoryChecker.check(history.records(), List.of(
                    new GrantInterval(old.key().asString(), old.token(), old.acquiredAtNanos(), old.validUntilNanos(),
                            -1),
                    new GrantInterval(fresh.key().asString(), fresh.token(), fresh.acquiredAtNanos(),
                            System.nanoTime(), released)),
                    true);
            assertThat(result.violations()).isEmpty();
        }
    }

    @Test
    void aRestartWithdrawsTheClaimsOfEarlierIncarnationsAndALateClaimOfAnOldOneDoesNotDisturbTheNew() throws Exception {
        String topic = KAFKA.uniqueTopic("oom-lock");
        String bootstrap = KAFKA.bootstrapServers();
        Duration longLease = Duration.ofSeconds(30);
        LockConfig newConfig = LockFixtures.config(topic, "node-x", longLease, MARGIN).withIncarnation("new");
        try (CompactedTopicLock other = LockFixtures.start(bootstrap,
                LockFixtures.config(topic, "node-y", longLease, MARGIN), new SimpleMeterRegistry())) {
            // The old incarnation held the lock and died without a word.
            long oldClaim = LockFixtures.write(bootstrap, topic, "oom_lock/node-x/old",
                    new ClaimValue("node-x", "old", "1", 30_000));
            await().atMost(Duration.ofSeconds(5)).until(() -> other.view().lastOffset() >= oldClaim);
            assertThat(other.tryLock()).as("the dead incarnation's claim is live").isEmpty();

            try (CompactedTopicLock restarted = LockFixtures.start(bootstrap, newConfig, new SimpleMeterRegistry())) {
                assertThat(restarted.view().earlierIncarnationsOf(restarted.key())).as("withdrawn at start").isEmpty();
                LockGrant grant = restarted.tryLock()
                        .orElseThrow(() -> new AssertionError("not acquired after restart"));

                long late = LockFixtures.write(bootstrap, topic, "oom_lock/node-x/old",
                        new ClaimValue("node-x", "old", "2", 30_000));
                await().atMost(Duration.ofSeconds(5)).until(() -> restarted.view().lastOffset() >= late);

                assertThat(restarted.view().holderAt(restarted.view().logTimeMs())).map(Claim::rank)
                        .contains(grant.token());
                assertThat(grant.isValidAt(System.nanoTime())).isTrue();
                assertThat(other.tryLock()).isEmpty();
                assertThat(restarted.unlock(grant.token()).get()).as("released by token").isGreaterThan(late);
            }
        }
    }

    @Test
    void concurrentTryLocksOnOneKeyAreSerialised_neverTwoClaimsOfTheKeyWithoutAWithdrawalBetween() throws Exception {
        String topic = KAFKA.uniqueTopic("oom-lock");
        String bootstrap = KAFKA.bootstrapServers();
        try (CompactedTopicLock lock = LockFixtures.start(bootstrap,
                LockFixtures.config(topic, "node-a", LEASE, MARGIN), new SimpleMeterRegistry());
             LockTopicRecorder history = LockFixtures.recorder(bootstrap, topic)) {
            ExecutorService threads = Executors.newFixedThreadPool(4);
            List<GrantInterval> grants = Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> loops = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                loops.add(threads.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        Optional<LockGrant> grant = lock.tryLock();
                        if (grant.isPresent()) {
                            LockGrant g = grant.get();
                            long end = System.nanoTime();
                            long released = lock.unlock(g).join();
                            grants.add(new GrantInterval(g.key().asString(), g.token(), g.acquiredAtNanos(), end,
                                    released));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> loop : loops) {
                loop.get(2, TimeUnit.MINUTES);
            }
            threads.shutdown();
            long last = lock.view().lastOffset();
            await().atMost(Duration.ofSeconds(10)).until(() -> history.position() > last);

            List<RawRecord> ours = history.records().stream().filter(r -> r.key().equals(lock.key().asString()))
                    .toList();
            for (int i = 1; i < ours.size(); i++) {
                assertThat(ours.get(i).isTombstone() || ours.get(i - 1).isTombstone())
                        .as("claims at %d and %d without a withdrawal between", ours.get(i - 1).offset(), ours.get(i)
                                .offset())
                        .isTrue();
            }
            assertThat(grants).isNotEmpty();
            assertThat(HistoryChecker.check(history.records(), grants, true).violations()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "cleanup.policy, delete, compact",
            "cleanup.policy, 'compact,delete', compact",
            "message.timestamp.type, CreateTime, LogAppendTime",
            "min.compaction.lag.ms, 1000, '>= 600000'",
            "partitions, 2, 1",
    })
    void theLockRefusesToStartOnAMisconfiguredTopicNamingTopicSettingExpectedAndActual(
            String setting, String actual, String expected) {
        String topic = KAFKA.uniqueTopic("bad-lock");
        Map<String,
                String> configs = new HashMap<>(Map.of("cleanup.policy", "compact", "message.timestamp.type",
                "LogAppendTime",
                "min.compaction.lag.ms", "600000", "delete.retention.ms", "1200000"));
        int partitions = 1;
        if (setting.equals("partitions")) {
            partitions = Integer.parseInt(actual);
        } else {
            configs.put(setting, actual);
        }
        KAFKA.createTopic(topic, partitions, configs);

        TopicMismatchException refused = catchThrowableOfType(TopicMismatchException.class,
                () -> LockFixtures.start(KAFKA.bootstrapServers(), LockConfig.defaults(topic, "node-1"),
                        new SimpleMeterRegistry()));

        assertThat(refused).isNotNull();
        assertThat(refused.topic()).isEqualTo(topic);
        assertThat(refused.setting()).isEqualTo(setting);
        assertThat(refused.expected()).contains(expected.replace(">= ", ""));
        assertThat(refused.actual()).isEqualTo(actual);
        assertThat(Optional.ofNullable(refused.getMessage()).orElse("")).contains(topic).contains(setting)
                .contains(actual);
    }
}
