package dev.oomsim.bench.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import dev.oomsim.lock.CompactedTopicLock;
import dev.oomsim.lock.LockConfig;
import dev.oomsim.lock.contention.BrokerRoundTrip;
import dev.oomsim.lock.contention.LatencySamples;
import dev.oomsim.lock.contention.LockContender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The lock's rows of {@code oomsim bench}, all in one run on one broker: the broker's own produce→consume
 * round trip (RTT), the uncontended tryLock (after up to 500 unmeasured warm-up ones), and N contenders
 * sharing a budget of tryLocks, each retrying as the plan's {@link LockContender.Pacing} says.
 */
public final class LockBenchmark {

    private LockBenchmark() {
    }

    /** What to run: topics are created under {@code topicPrefix} with a fresh suffix. */
    public record Plan(int roundTrips, int uncontendedTryLocks, int contenders, long contendedTryLocks, Duration tick,
                       int maxBackoffTicks, LockContender.Pacing pacing) {
        public Plan {
            Objects.requireNonNull(pacing, "pacing");
            if (roundTrips < 1 || uncontendedTryLocks < 1 || contenders < 1 || contendedTryLocks < contenders) {
                throw new IllegalArgumentException("every count must be >= 1 (and tryLocks >= contenders): "
                        + roundTrips
                        + ", " + uncontendedTryLocks + ", " + contenders + ", " + contendedTryLocks);
            }
        }

        /**
         * 2 000 round trips, 3 000 uncontended tryLocks, 8 contenders sharing 20 000, 1 ms tick, back-off up to 4
         * ticks, contenders taking turns.
         */
        public static Plan standard() {
            return new Plan(2000, 3000, 8, 20_000, Duration.ofMillis(1), 4, LockContender.Pacing.TAKE_TURNS);
        }
    }

    /** The figures of one run; latencies in nanoseconds. */
    public record Report(LatencySamples roundTrip, LatencySamples uncontended, LatencySamples contendedAcquired,
                         int contenders, long tryLocks, long grants, double seconds, boolean everyContenderAcquired) {

        public double grantsPerSecond() {
            return grants / seconds;
        }

        /** One line per bench row, each latency also as a multiple of the RTT p50. */
        public List<String> rows() {
            double rtt = roundTrip.percentile(50);
            return List.of(
                    String.format("broker produce->consume RTT          %s", roundTrip.summary()),
                    String.format("lock tryLock uncontended (acquired)  %s  p50=%.2fx p99=%.2fx RTT p50, p99=%.2fx "
                            + "RTT p99",
                            uncontended.summary(), uncontended.percentile(50) / rtt, uncontended.percentile(99) / rtt,
                            (double) uncontended.percentile(99) / roundTrip.percentile(99)),
                    String.format("lock tryLock %d contenders (acquired) %s  p50=%.2fx RTT p50", contenders,
                            contendedAcquired.summary(), contendedAcquired.percentile(50) / rtt),
                    String.format("lock grants, %d contenders            %d grants in %d tryLocks, %.1f s = %.0f "
                            + "grants/s; every contender acquired: %s",
                            contenders, grants, tryLocks, seconds, grantsPerSecond(), everyContenderAcquired));
        }
    }

    public static Report run(String bootstrapServers, String topicPrefix, Plan plan) {
        Map<String, Object> client = Map.of("bootstrap.servers", bootstrapServers);
        String suffix = Long.toString(System.nanoTime(), 36);
        String rttTopic = topicPrefix + "lock-bench-rtt-" + suffix;
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic(rttTopic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating " + rttTopic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create " + rttTopic + ": " + e, e);
        }
        LatencySamples rtt = BrokerRoundTrip.measure(bootstrapServers, rttTopic, Math.min(500, plan.roundTrips()),
                plan.roundTrips());

        LatencySamples uncontended;
        String soloTopic = topicPrefix + "lock-bench-solo-" + suffix;
        int warmup = Math.min(500, plan.uncontendedTryLocks());
        try (LockContender solo = new LockContender(lock(client, soloTopic, "solo", plan), 0,
                new AtomicLong(warmup + plan.uncontendedTryLocks()), plan.pacing())) {
            await(List.of(solo.start()));
            uncontended = new LatencySamples();
            long[] all = solo.acquiredNanos().toArray();
            for (int i = warmup; i < all.length; i++) {
                uncontended.add(all[i]);
            }
        }

        String contendedTopic = topicPrefix + "lock-bench-contended-" + suffix;
        AtomicLong budget = new AtomicLong(plan.contendedTryLocks());
        List<LockContender> contenders = new ArrayList<>();
        try {
            for (int i = 0; i < plan.contenders(); i++) {
                contenders.add(new LockContender(lock(client, contendedTopic, "node-" + i, plan), 0, budget,
                        plan.pacing()));
            }
            long start = System.nanoTime();
            List<CompletableFuture<Void>> done = new ArrayList<>();
            contenders.forEach(c -> done.add(c.start()));
            await(done);
            double seconds = (System.nanoTime() - start) / 1e9;
            LatencySamples acquired = new LatencySamples();
            long grants = 0;
            long attempts = 0;
            boolean everyone = true;
            for (LockContender c : contenders) {
                acquired.addAll(c.acquiredNanos());
                grants += c.grants().size();
                attempts += c.attempts();
                everyone &= !c.grants().isEmpty();
            }
            return new Report(rtt, uncontended, acquired, plan.contenders(), attempts, grants, seconds, everyone);
        } finally {
            contenders.forEach(LockContender::close);
        }
    }

    private static CompactedTopicLock lock(Map<String, Object> client, String topic, String contender, Plan plan) {
        LockConfig config = LockConfig.defaults(topic, contender).withBackoff(plan.tick(), plan.maxBackoffTicks());
        return CompactedTopicLock.builder(config, client).meterRegistry(new SimpleMeterRegistry()).start();
    }

    private static void await(List<CompletableFuture<Void>> done) {
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("lock bench did not finish: " + e, e);
        }
    }
}
