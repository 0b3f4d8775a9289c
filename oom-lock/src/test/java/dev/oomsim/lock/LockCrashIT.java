package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.oomsim.lock.history.GrantInterval;
import dev.oomsim.lock.history.HistoryChecker;
import dev.oomsim.lock.history.LockTopicRecorder;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A holder in another JVM killed with SIGKILL: the next contender takes over once the lease has run out. */
class LockCrashIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Duration LEASE = Duration.ofSeconds(2);

    @Test
    void aHolderKilledWithSigkillLosesTheLockWithinLeasePlusOneSecond() throws Exception {
        String topic = KAFKA.uniqueTopic("oom-lock");
        String bootstrap = KAFKA.bootstrapServers();
        try (CompactedTopicLock next = LockFixtures.start(bootstrap,
                LockFixtures.config(topic, "node-next", LEASE, Duration.ofMillis(200)), new SimpleMeterRegistry());
             LockTopicRecorder history = LockFixtures.recorder(bootstrap, topic)) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            File childLog = Path.of(System.getProperty("java.io.tmpdir"), "crashing-contender-" + topic + ".log")
                    .toFile();
            Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    CrashingContender.class.getName(), bootstrap, topic, "node-crash", Long.toString(LEASE.toMillis()))
                    .redirectError(childLog).start();
            try {
                String[] acquired = readAcquiredLine(child).get(60, TimeUnit.SECONDS).split(" ");
                String childKey = acquired[1];
                long childToken = Long.parseLong(acquired[2]);
                long childAppendMs = Long.parseLong(acquired[3]);

                child.destroyForcibly();
                assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
                long killedAt = System.nanoTime();
                assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

                AtomicReference<LockGrant> taken = new AtomicReference<>();
                await().atMost(LEASE.plusSeconds(3)).pollInterval(Duration.ofMillis(2))
                        .until(() -> next.tryLock().map(g -> { taken.set(g); return true; }).orElse(false));
                LockGrant grant = taken.get();
                double afterKillMs = (grant.acquiredAtNanos() - killedAt) / 1e6;
                long afterClaimLogMs = grant.logAppendTimeMs() - childAppendMs;
                System.out.printf("[lock-bench] SIGKILLed holder (token %d): next acquired %.0f ms after the kill, "
                        + "its claim %d ms (log time) after the dead holder's, lease %d ms%n",
                        childToken, afterKillMs, afterClaimLogMs, LEASE.toMillis());

                assertThat(grant.token()).isGreaterThan(childToken);
                assertThat(afterClaimLogMs).isGreaterThan(LEASE.toMillis())
                        .isLessThanOrEqualTo(LEASE.toMillis() + 1000);
                assertThat(afterKillMs).isLessThanOrEqualTo(LEASE.toMillis() + 1000);

                long released = next.unlock(grant).get();
                await().atMost(Duration.ofSeconds(5)).until(() -> history.position() > released);
                HistoryChecker.Result result = HistoryChecker.check(history.records(), List.of(
                        new GrantInterval(childKey, childToken, 0, 0, -1),
                        new GrantInterval(grant.key().asString(), grant.token(), grant.acquiredAtNanos(),
                                System.nanoTime(), released)),
                        false);
                assertThat(result.violations()).isEmpty();
            } finally {
                child.destroyForcibly();
            }
        }
    }

    private static CompletableFuture<String> readAcquiredLine(Process child) {
        CompletableFuture<String> line = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = out.readLine()) != null; ) {
                    if (l.startsWith("ACQUIRED ")) {
                        line.complete(l);
                    }
                }
                line.completeExceptionally(new IllegalStateException("child exited without acquiring"));
            } catch (Exception e) {
                line.completeExceptionally(e);
            }
        }, "crashing-contender-stdout");
        reader.setDaemon(true);
        reader.start();
        return line;
    }
}
