package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.oomsim.lock.history.LockTopicRecorder;
import dev.oomsim.lock.history.RawRecord;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A claim whose send failed may still have landed: the lock withdraws it before it claims again. */
class LockSendFailureIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    @Test
    void aClaimWhoseSendFailedIsWithdrawnBeforeTheNextClaim() throws Exception {
        String topic = KAFKA.uniqueTopic("oom-lock");
        String bootstrap = KAFKA.bootstrapServers();
        LockConfig config = LockFixtures.config(topic, "node-a", Duration.ofSeconds(5), Duration.ofMillis(500))
                .withSendTimeout(Duration.ofSeconds(1));
        try (CompactedTopicLock lock = LockFixtures.start(bootstrap, config, new SimpleMeterRegistry());
             LockTopicRecorder history = LockFixtures.recorder(bootstrap, topic)) {
            KAFKA.broker().stop();
            assertThat(lock.tryLock()).as("no broker, no grant").isEmpty();
            KAFKA.broker().restart();

            AtomicReference<LockGrant> taken = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                    .until(() -> lock.tryLock().map(g -> { taken.set(g); return true; }).orElse(false));
            LockGrant grant = taken.get();
            long released = lock.unlock(grant).get();
            await().atMost(Duration.ofSeconds(30)).until(() -> history.position() > released);

            List<RawRecord> ours = history.records().stream().filter(r -> r.key().equals(lock.key().asString()))
                    .toList();
            Optional<RawRecord> firstClaim = ours.stream().filter(r -> !r.isTombstone()).findFirst();
            assertThat(firstClaim).isPresent();
            assertThat(ours.get(0).isTombstone()).as("the withdrawal precedes the next claim: " + ours).isTrue();
            assertThat(firstClaim.get().offset()).isEqualTo(grant.token());
        }
    }
}
