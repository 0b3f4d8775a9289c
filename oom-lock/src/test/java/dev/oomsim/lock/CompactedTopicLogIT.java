package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The generic log: reads to the end before answering, tails, and completes "reader passed O" waits. */
class CompactedTopicLogIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    @Test
    void startReadsToTheEndThenTailsAndCompletesWaitsForOffsetsAsTheReaderPassesThem() throws Exception {
        String topic = KAFKA.uniqueTopic("log");
        KAFKA.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        for (int i = 0; i < 5; i++) {
            LockFixtures.write(KAFKA.bootstrapServers(), topic, "k" + i, new ClaimValue("c", "i", "r", 1));
        }
        List<Long> folded = Collections.synchronizedList(new ArrayList<>());
        try (CompactedTopicLog<String,
                String> log = new CompactedTopicLog<>(topic, Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer(), r -> folded.add(r.offset()))) {
            log.start(Duration.ofSeconds(30));

            assertThat(folded).containsExactly(0L, 1L, 2L, 3L, 4L);
            assertThat(log.position()).isEqualTo(5);
            assertThat(log.awaitPassed(3)).as("an offset already passed").isCompleted();

            CompletableFuture<Long> passed = log.awaitPassed(5);
            assertThat(passed).isNotDone();
            long offset = LockFixtures.write(KAFKA.bootstrapServers(), topic, "k5", null);
            assertThat(offset).isEqualTo(5);
            assertThat(passed.get(10, TimeUnit.SECONDS)).isGreaterThan(5);
            assertThat(folded).contains(5L);
            assertThat(log.readToEnd().get(10, TimeUnit.SECONDS)).isEqualTo(6);

            CompletableFuture<Long> never = log.awaitPassed(1_000);
            log.close();
            assertThatThrownBy(() -> never.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
    }
}
