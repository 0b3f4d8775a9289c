package dev.oomsim.cli;

import static dev.oomsim.cli.SimulateCommandTest.oomsim;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutionException;

import dev.oomsim.cli.SimulateCommandTest.Result;
import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code oomsim pressure} reads the compacted {@code pressure} topic the coordinator writes: the latest view of each
 * scope wins, a tombstone removes one. The test writes the views as the coordinator would.
 */
class PressureCommandIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    @Test
    void theTableShowsTheLatestViewOfEachNodeAndTheCluster() throws ExecutionException, InterruptedException {
        String prefix = KAFKA.uniqueTopic("pressure") + ".";
        Topics topics = new Topics(prefix, 2);
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
        TopicSpec<String, PressureView> t = topics.pressure();
        PressureView node0 = view("node-0", 4096, 4000, 0, null);
        PressureView node0Later = view("node-0", 4096, 12, 1, 900);
        PressureView node1 = view("node-1", 4096, 300, 0, null);
        PressureView node7 = view("node-7", 4096, 300, 0, null);
        PressureView cluster = view("cluster", 8192, 312, 1, 900);
        var props = KAFKA.producerProps();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (PressureView v : List.of(node0, node1, node7, node0Later, cluster)) {
                producer.send(new ProducerRecord<>(t.name(),
                        t.keySerde().serializer().serialize(t.name(), v.getScope()), t.valueSerde().serializer()
                        .serialize(t.name(), v))).get();
            }
            producer.send(new ProducerRecord<>(t.name(), t.keySerde().serializer().serialize(t.name(), "node-7"),
                    null)).get();
        }

        Result r = oomsim("pressure", "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", prefix);

        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).startsWith("node-0 ").contains(" 12 ").contains("0.3%").endsWith("900 (java)");
        assertThat(lines.get(2)).startsWith("node-1 ").contains(" 300 ");
        assertThat(lines.get(3)).startsWith("cluster ").endsWith("900 (java)");
    }

    @Test
    void aClusterWithoutThePressureTopicIsARuntimeFailure() {
        Result r = oomsim("pressure", "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", "absent.");

        assertThat(r.exit()).isEqualTo(ExitCodes.RUNTIME_FAILURE);
        assertThat(r.err()).contains("has no topic absent.pressure");
    }

    private static PressureView view(String scope, long managed, long free, long kills, Integer victim) {
        return PressureView.newBuilder().setScope(scope).setManagedPages(managed).setFreePages(free).setRequests(10)
                .setFailedAllocations(kills).setMayOomCalls(kills).setKills(kills).setLastVictimPid(victim)
                .setLastVictimComm(victim == null ? null : "java").setUpdatedAtMs(1).build();
    }
}
