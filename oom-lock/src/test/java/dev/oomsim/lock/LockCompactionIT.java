package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.oomsim.lock.contention.LockContender;
import dev.oomsim.lock.history.GrantInterval;
import dev.oomsim.lock.history.HistoryChecker;
import dev.oomsim.lock.history.LockTopicRecorder;
import dev.oomsim.lock.history.RawRecord;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fold is the same before and after compaction: once the broker has really cleaned the lock topic
 * (fewer records left than were written), a fresh fold from offset 0 has the same current claims and
 * holder as the fold of the raw history recorded while the contenders ran.
 */
class LockCompactionIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create()
            .withBrokerProperty("log.cleaner.backoff.ms", "100");

    private static final Duration LEASE = Duration.ofMillis(300);
    private static final Duration M = Duration.ofSeconds(1);

    @Test
    void afterRealCompactionAFreshFoldHasTheSameClaimsAndHolderAsTheRawHistory() throws Exception {
        String topic = KAFKA.uniqueTopic("oom-lock");
        String bootstrap = KAFKA.bootstrapServers();
        KAFKA.createTopic(topic, 1, Map.of("cleanup.policy", "compact", "message.timestamp.type", "LogAppendTime",
                "min.compaction.lag.ms", Long.toString(M.toMillis()), "delete.retention.ms",
                Long.toString(2 * M.toMillis()),
                "segment.ms", "100", "min.cleanable.dirty.ratio", "0.01"));
        List<LockContender> contenders = new ArrayList<>();
        AtomicLong budget = new AtomicLong(5000);
        try (LockTopicRecorder history = LockFixtures.recorder(bootstrap, topic)) {
            // A contender that died without withdrawing: its expired claim stays the key's current claim.
            LockFixtures.write(bootstrap, topic, "oom_lock/dead/1", new ClaimValue("dead", "1", "1", LEASE.toMillis()));
            for (int i = 0; i < 3; i++) {
                LockConfig config = LockFixtures.config(topic, "node-" + i, LEASE, Duration.ofMillis(50))
                        .withMinCompactionLag(M);
                contenders.add(new LockContender(LockFixtures.start(bootstrap, config, new SimpleMeterRegistry()), 0,
                        budget,
                        LockContender.Pacing.EVERY_TICK));
            }
            List<CompletableFuture<Void>> done = new ArrayList<>();
            contenders.forEach(c -> done.add(c.start()));
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);

            // Roll segments (the active one is never cleaned) with no-op tombstones until the cleaner has removed
            // records.
            AtomicInteger fillers = new AtomicInteger();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
                LockFixtures.write(bootstrap, topic, "oom_lock/filler/" + fillers.incrementAndGet() % 2, null);
                return readFresh(topic).records() < history.position();
            });
            // A live holder at the head of the log, so the comparison is not between two empty holders.
            CompactedTopicLock last = contenders.get(1).lock();
            LockGrant grant = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2))
                    .until(last::tryLock, java.util.Optional::isPresent).orElseThrow();

            // A live claim behind the holder's, not yet withdrawn.
            LockFixtures.write(bootstrap, topic, "oom_lock/behind/1", new ClaimValue("behind", "1", "1", 60_000));

            Fresh fresh = readFresh(topic);
            await().atMost(Duration.ofSeconds(5)).until(() -> history.position() >= fresh.state().lastOffset() + 1);
            List<RawRecord> raw = history.records();
            LockState rawFold = new LockState("oom_lock");
            for (RawRecord r : raw) {
                rawFold.apply(toLockRecord(r));
            }
            System.out.printf("[lock-bench] compaction: %d records written, %d left after cleaning; %d claims, "
                    + "holder %s%n",
                    raw.size(), fresh.records(), rawFold.claims().size(), rawFold.holder().map(Claim::rank)
                    .orElse(-1L));

            assertThat(fresh.records()).as("records left after compaction").isLessThan(raw.size());
            assertThat(fresh.state().lastOffset()).isEqualTo(rawFold.lastOffset());
            assertThat(fresh.state().claims()).isEqualTo(rawFold.claims());
            assertThat(fresh.state().holder()).isEqualTo(rawFold.holder());
            assertThat(rawFold.holder()).map(Claim::rank).contains(grant.token());
            assertThat(rawFold.claims().keySet()).extracting(LockKey::contender).contains("dead", "behind", "node-1");

            List<GrantInterval> grants = new ArrayList<>();
            contenders.forEach(c -> grants.addAll(LockFixtures.intervals(c.grants())));
            grants.add(new GrantInterval(grant.key().asString(), grant.token(), grant.acquiredAtNanos(),
                    System.nanoTime(), -1));
            assertThat(HistoryChecker.check(raw, grants, true).violations()).isEmpty();
        } finally {
            contenders.forEach(LockContender::close);
        }
    }

    private record Fresh(LockState state, int records) {
    }

    /** A fresh fold through the generic log, from offset 0 to the end, counting what it reads. */
    private static Fresh readFresh(String topic) {
        LockState state = new LockState("oom_lock");
        LockRecordDecoder decoder = new LockRecordDecoder(AvroClaimCodec.INSTANCE);
        AtomicInteger count = new AtomicInteger();
        Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()));
        try (CompactedTopicLog<String, byte[]> log = new CompactedTopicLog<>(topic, config, new StringDeserializer(),
                new ByteArrayDeserializer(), r -> {
                    count.incrementAndGet();
                    state.apply(decoder.decode(r.offset(), r.timestamp(), r.key(), r.value()));
                })) {
            log.start(Duration.ofSeconds(30));
        }
        return new Fresh(state, count.get());
    }

    private static LockRecord toLockRecord(RawRecord r) {
        LockKey key = LockKey.parse(r.key()).orElseThrow();
        return r.isTombstone()
                ? new LockRecord.Tombstone(r.offset(), r.timestampMs(), key)
                : new LockRecord.ClaimRecord(r.offset(), r.timestampMs(), key, r.requestId(), r.leaseMs());
    }
}
