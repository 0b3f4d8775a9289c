package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.oomsim.lock.contention.BrokerRoundTrip;
import dev.oomsim.lock.contention.LatencySamples;
import dev.oomsim.lock.contention.LockContender;
import dev.oomsim.lock.history.GrantInterval;
import dev.oomsim.lock.history.HistoryChecker;
import dev.oomsim.lock.history.LockTopicRecorder;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many contenders on a real broker: safety judged from the recorded history by the independent
 * checker, liveness (every contender acquires, grant rate), and latency against the broker's own
 * round trip measured in the same run. {@code -Doomsim.lock.tryLocks} (or {@code -Pfull}: 100 000)
 * sets the number of tryLocks of contenders retrying every tick, {@code -Doomsim.lock.turnTryLocks} (5 000;
 * {@code -Pfull}: 20 000) that of contenders taking turns.
 */
class LockContentionIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static LatencySamples brokerRoundTrip;

    @BeforeAll
    static void measureTheBrokersOwnRoundTrip() {
        String topic = KAFKA.uniqueTopic("rtt");
        KAFKA.createTopic(topic, 1, Map.of());
        brokerRoundTrip = BrokerRoundTrip.measure(KAFKA.bootstrapServers(), topic, 500, 2000);
        System.out.println("[lock-bench] broker produce->consume RTT: " + brokerRoundTrip.summary());
    }

    private static CompactedTopicLock lock(String topic, String contender, MeterRegistry registry) {
        LockConfig config = LockConfig.defaults(topic, contender)
                .withBackoff(Duration.ofNanos(1000 * Long.getLong("oomsim.lock.tickMicros", 1000)),
                        Integer.getInteger("oomsim.lock.maxBackoffTicks", 4));
        return CompactedTopicLock.builder(config, Map.of("bootstrap.servers", KAFKA.bootstrapServers()))
                .meterRegistry(registry).start();
    }

    private static LockTopicRecorder recorder(String topic) {
        return new LockTopicRecorder(KAFKA.bootstrapServers(), topic, bytes -> {
            ClaimValue v = AvroClaimCodec.INSTANCE.decode(bytes);
            return new LockTopicRecorder.ClaimFields(v.requestId(), v.leaseMs());
        });
    }

    /** Where a round goes, in log time: release to the next winning claim, and winning claim to its release. */
    private static void printRoundAnatomy(List<dev.oomsim.lock.history.RawRecord> records, List<GrantInterval> grants) {
        Map<Long, Long> timeAt = new java.util.HashMap<>();
        records.forEach(r -> timeAt.put(r.offset(), r.timestampMs()));
        List<GrantInterval> sorted = new ArrayList<>(grants);
        sorted.sort(java.util.Comparator.comparingLong(GrantInterval::token));
        LatencySamples gap = new LatencySamples();
        LatencySamples held = new LatencySamples();
        LatencySamples claimsBetween = new LatencySamples();
        for (int i = 0; i < sorted.size(); i++) {
            GrantInterval g = sorted.get(i);
            if (g.releaseOffset() >= 0 && timeAt.containsKey(g.releaseOffset())) {
                held.add(timeAt.get(g.releaseOffset()) - timeAt.get(g.token()));
            }
            if (i > 0 && sorted.get(i - 1).releaseOffset() >= 0) {
                long from = sorted.get(i - 1).releaseOffset();
                gap.add(timeAt.get(g.token()) - timeAt.getOrDefault(from, timeAt.get(g.token())));
                claimsBetween.add(records.stream()
                        .filter(r -> r.offset() > from && r.offset() < g.token() && !r.isTombstone()).count());
            }
        }
        System.out.printf("[lock-bench] round anatomy (log ms): release -> next winning claim p50=%d p99=%d; "
                        + "winning claim -> its release p50=%d p99=%d; losing claims between p50=%d%n",
                gap.percentile(50), gap.percentile(99), held.percentile(50), held.percentile(99),
                claimsBetween.percentile(50));
    }

    @Test
    void uncontendedTryLockCostsAboutOneBrokerRoundTrip() throws Exception {
        String topic = KAFKA.uniqueTopic("oom-lock");
        try (CompactedTopicLock lock = lock(topic, "solo", new SimpleMeterRegistry())) {
            AtomicLong budget = new AtomicLong(3000);
            try (LockContender solo = new LockContender(lock, 0, budget, LockContender.Pacing.EVERY_TICK)) {
                solo.start().get(120, TimeUnit.SECONDS);
                LatencySamples acquired = solo.acquiredNanos();
                long[] all = acquired.toArray();
                LatencySamples measured = new LatencySamples();
                for (int i = 500; i < all.length; i++) {
                    measured.add(all[i]);
                }
                double p50 = (double) measured.percentile(50) / brokerRoundTrip.percentile(50);
                double p99 = (double) measured.percentile(99) / brokerRoundTrip.percentile(50);
                double p99ToP99 = (double) measured.percentile(99) / brokerRoundTrip.percentile(99);
                System.out.printf("[lock-bench] uncontended tryLock (acquired, after 500 warm-up): %s; p50 = %.2fx "
                        + "RTT p50, "
                                + "p99 = %.2fx RTT p50 = %.2fx RTT p99; refused %d; RTT %s%n",
                        measured.summary(), p50, p99, p99ToP99, solo.refusedNanos().size(), brokerRoundTrip.summary());
                assertThat(solo.refusedNanos().size()).as("an uncontended lock is never refused").isZero();
                assertThat(acquired.size()).isEqualTo(3000);
            }
        }
    }

    /** Contenders retrying on every tick: most of them race for each release, the harder case for safety. */
    @Test
    void eightContendersNeverOverlapTokensIncreaseAndEveryContenderAcquires() throws Exception {
        contend(LockContender.Pacing.EVERY_TICK, Long.getLong("oomsim.lock.tryLocks", 20_000));
    }

    /**
     * Contenders waiting for the fold and taking turns: nearly every tryLock is a claim that wins, so far more grants
     * (and releases) per tryLock than on every tick.
     */
    @Test
    void eightContendersTakingTurnsNeverOverlapTokensIncreaseAndEveryContenderAcquires() throws Exception {
        contend(LockContender.Pacing.TAKE_TURNS, Long.getLong("oomsim.lock.turnTryLocks", 5_000));
    }

    private void contend(LockContender.Pacing pacing, long tryLocks) throws Exception {
        int contenders = Integer.getInteger("oomsim.lock.contenders", 8);
        String topic = KAFKA.uniqueTopic("oom-lock");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<LockContender> all = new ArrayList<>();
        AtomicLong budget = new AtomicLong(tryLocks);
        for (int i = 0; i < contenders; i++) {
            all.add(new LockContender(lock(topic, "node-" + i, registry), 0, budget, pacing));
        }
        try (LockTopicRecorder history = recorder(topic)) {
            long start = System.nanoTime();
            List<CompletableFuture<Void>> done = new ArrayList<>();
            all.forEach(c -> done.add(c.start()));
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;

            long end = all.get(0).lock().view().lastOffset();
            await().atMost(Duration.ofSeconds(30)).until(() -> history.position() > end);
            List<GrantInterval> grants = new ArrayList<>();
            LatencySamples acquired = new LatencySamples();
            LatencySamples refused = new LatencySamples();
            long attempts = 0;
            for (LockContender c : all) {
                grants.addAll(LockFixtures.intervals(c.grants()));
                acquired.addAll(c.acquiredNanos());
                refused.addAll(c.refusedNanos());
                attempts += c.attempts();
            }
            HistoryChecker.Result result = HistoryChecker.check(history.records(), grants, true);

            double refusedLocal = registry.find("oomsim.lock.trylock").tag("outcome", "refused_local").timers()
                    .stream().mapToDouble(t -> t.count()).sum();
            double refusedAtOffset = registry.find("oomsim.lock.trylock").tag("outcome", "refused_at_offset").timers()
                    .stream().mapToDouble(t -> t.count()).sum();
            System.out.printf("[lock-bench] %d contenders (%s), %d tryLocks in %.1f s: %d grants = %.0f grants/s; "
                            + "refused locally %.0f, refused at O %.0f; %d records, %d holder changes, %d violations%n",
                    contenders, pacing, attempts, seconds, grants.size(), grants.size() / seconds, refusedLocal,
                    refusedAtOffset,
                    result.records(), result.holderChanges(), result.violations().size());
            System.out.printf("[lock-bench] contended tryLock acquired: %s = %.2fx RTT p50; refused: %s; RTT %s%n",
                    acquired.summary(), (double) acquired.percentile(50) / brokerRoundTrip.percentile(50),
                    refused.summary(), brokerRoundTrip.summary());
            printRoundAnatomy(history.records(), grants);
            for (LockContender c : all) {
                System.out.printf("[lock-bench]   %s: %d attempts, %d grants%n", c.lock().key().contender(),
                        c.attempts(),
                        c.grants().size());
            }

            assertThat(result.violations()).as("history violations").isEmpty();
            assertThat(attempts).isGreaterThanOrEqualTo(tryLocks);
            assertThat(all).allSatisfy(c -> assertThat(c.grants()).as(c.lock().key() + " grants").isNotEmpty());
            assertThat(registry.find("oomsim.lock.grants").counters().stream().mapToDouble(c -> c.count()).sum())
                    .isEqualTo(grants.size());
        } finally {
            all.forEach(LockContender::close);
        }
    }
}
