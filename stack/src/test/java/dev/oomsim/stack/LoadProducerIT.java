package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.load.LoadProducer;
import dev.oomsim.stack.load.Workload;
import dev.oomsim.stack.load.WorkloadFiles;
import dev.oomsim.stack.load.WorkloadGenerator;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code oomsim load --workload}: a leak produced into a running two-node stack ends in the OOM killer's kills. */
class LoadProducerIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Scenario TWO_NODES = ScenarioFiles.read(Path.of("..", "scenarios",
            "2-nodes-global-kill.yaml"));
    private static final Workload LEAK = WorkloadFiles.read(Path.of("..", "scenarios", "workloads",
            "leak-one-task.yaml"));

    @Test
    void aLeakWorkloadIntoTwoNodesEndsInKillsOfTheLeaker() {
        Topics topics = new Topics(KAFKA.uniqueTopic("load") + ".", 2);
        try (OomsimCluster cluster = OomsimCluster.builder(TWO_NODES).bootstrapServers(KAFKA.bootstrapServers())
                .topics(topics).pollTimeout(Duration.ofMillis(20)).start();
                LoadProducer producer = new LoadProducer(cluster.bootstrapServers(), topics)) {
            LoadProducer.Result r = producer.run(new WorkloadGenerator(LEAK, 1, Duration.ofSeconds(5).toNanos()),
                    5000, System::nanoTime, () -> false, n -> { });
            assertThat(r.taskEvents()).isEqualTo(1);
            assertThat(r.requests()).isGreaterThan(1000);
            assertThat(r.stopped()).isFalse();
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(kills(topics))
                    .extracting(KillEvent::getVictimPid).contains(500));
        }
    }

    @Test
    void theSameSeedTwiceProducesTheSameRecords() {
        Topics a = new Topics(KAFKA.uniqueTopic("seed-a") + ".", 2);
        Topics b = new Topics(KAFKA.uniqueTopic("seed-b") + ".", 2);
        for (Topics t : List.of(a, b)) {
            for (var spec : List.of(t.taskEvents(), t.allocRequests())) {
                KAFKA.createTopic(spec.name(), spec == t.taskEvents() ? 1 : 2, Map.of());
            }
            try (LoadProducer p = new LoadProducer(KAFKA.bootstrapServers(), t)) {
                p.run(new WorkloadGenerator(LEAK, 77, Duration.ofSeconds(2).toNanos()), 0, System::nanoTime,
                        () -> false, n -> { });
            }
        }
        for (int i = 0; i < 2; i++) {
            String ta = i == 0 ? a.taskEvents().name() : a.allocRequests().name();
            String tb = i == 0 ? b.taskEvents().name() : b.allocRequests().name();
            List<ConsumerRecord<byte[], byte[]>> ra = byPosition(KAFKA.readAll(ta));
            List<ConsumerRecord<byte[], byte[]>> rb = byPosition(KAFKA.readAll(tb));
            assertThat(ra).isNotEmpty().hasSameSizeAs(rb);
            for (int j = 0; j < ra.size(); j++) {
                assertThat(ra.get(j).partition()).isEqualTo(rb.get(j).partition());
                assertThat(ra.get(j).key()).isEqualTo(rb.get(j).key());
                assertThat(ra.get(j).value()).as("record %d of %s", j, ta).isEqualTo(rb.get(j).value());
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> byPosition(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().sorted(java.util.Comparator.comparingInt(
                (ConsumerRecord<byte[], byte[]> r) -> r.partition()).thenComparingLong(ConsumerRecord::offset))
                .toList();
    }

    private static List<KillEvent> kills(Topics topics) {
        return KAFKA.readAll(topics.kills().name()).stream()
                .map(r -> topics.kills().valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
    }
}
