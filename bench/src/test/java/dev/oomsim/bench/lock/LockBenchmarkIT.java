package dev.oomsim.bench.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.oomsim.lock.contention.LockContender;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bench rows run end to end (small counts: the figures are the bench's business, not this test's). */
class LockBenchmarkIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    @Test
    void theLockBenchProducesItsRowsInOneRun() {
        LockBenchmark.Report report = LockBenchmark.run(KAFKA.bootstrapServers(), "t-",
                new LockBenchmark.Plan(200, 200, 3, 600, Duration.ofMillis(1), 4, LockContender.Pacing.TAKE_TURNS));

        report.rows().forEach(row -> System.out.println("[lock-bench] " + row));
        assertThat(report.rows()).hasSize(4);
        assertThat(report.uncontended().size()).isEqualTo(200);
        assertThat(report.tryLocks()).isGreaterThanOrEqualTo(600);
        assertThat(report.grants()).isPositive();
    }
}
