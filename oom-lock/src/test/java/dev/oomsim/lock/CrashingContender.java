package dev.oomsim.lock;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A contender run in its own JVM by {@link LockCrashIT}: it takes the lock, prints
 * {@code ACQUIRED <key> <token> <appendTimeMs>} and then holds it until it is killed.
 * Arguments: bootstrap servers, topic, contender, lease in ms.
 */
public final class CrashingContender {

    private CrashingContender() {
    }

    public static void main(String[] args) throws InterruptedException {
        String bootstrap = args[0];
        String topic = args[1];
        String contender = args[2];
        Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
        LockConfig config = LockFixtures.config(topic, contender, lease, lease.dividedBy(10));
        CompactedTopicLock lock = CompactedTopicLock.builder(config, Map.of("bootstrap.servers", bootstrap)).start();
        ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch killed = new CountDownLatch(1);
        retries.scheduleWithFixedDelay(() -> {
            if (lock.currentGrant().isPresent()) {
                return;
            }
            Optional<LockGrant> grant = lock.tryLock();
            grant.ifPresent(g -> {
                System.out.println("ACQUIRED " + g.key().asString() + " " + g.token() + " " + g.logAppendTimeMs());
                System.out.flush();
            });
        }, 0, config.tick().toNanos(), TimeUnit.NANOSECONDS);
        killed.await();
    }
}
