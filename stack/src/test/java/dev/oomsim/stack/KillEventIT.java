package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.schemas.KillCandidate;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeRss;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.OomConstraint;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every kill is on {@code kills}, with what a user needs to understand it: the victim (here a sacrificed child, not
 * the chosen parent), the best candidates and their points, the rss freed per node, the requester, the lock grant it
 * was decided under, and the kernel's own lines.
 */
class KillEventIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The topics of the last run. */
    private Topics topics;

    private List<KillEvent> kills(String file) throws IOException {
        Scenario scenario = ScenarioParser.parse(YAML.readValue(Path.of("..", "scenarios", file).toFile(),
                Object.class));
        topics = new Topics(KAFKA.uniqueTopic("kills") + ".", scenario.nodes().size());
        ScenarioPlayback.play(scenario, KAFKA.bootstrapServers(), topics);
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readAll(topics.kills().name());
        return records.stream().map(r -> topics.kills().valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .toList();
    }

    @Test
    void aChildSacrificeIsExplained() throws IOException {
        List<KillEvent> kills = kills("1-node-child-sacrifice.yaml");

        assertThat(kills).hasSize(1);
        KillEvent k = kills.get(0);
        assertThat(k.getVictimPid()).isEqualTo(103);
        assertThat(k.getVictimComm()).isEqualTo("worker-b");
        assertThat(k.getChosenPid()).isEqualTo(100);
        assertThat(k.getPoints()).isEqualTo(5020);
        assertThat(k.getScore()).isEqualTo(612);
        assertThat(k.getConstraint()).isEqualTo(OomConstraint.CONSTRAINT_NONE);
        assertThat(k.getInvokingPid()).isEqualTo(1000);
        assertThat(k.getInvokingComm()).isEqualTo("bash");
        assertThat(k.getInvokingNode()).isZero();
        assertThat(k.getGfpMask()).isEqualTo(0x24000c0L);
        assertThat(k.getLockToken()).as("decided under a real cluster grant").isGreaterThanOrEqualTo(0);
        assertThat(k.getSignalled()).containsExactly(105);
        assertThat(k.getVictimRss()).containsExactly(new NodeRss(0, 900L, 0L));
        assertThat(k.getCandidates()).extracting(KillCandidate::getPid).startsWith(100).contains(103, 104, 1000);
        assertThat(k.getCandidates().size()).isLessThanOrEqualTo(10);
        assertThat(k.getLog()).first()
                .isEqualTo("bash invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0");
        assertThat(k.getLog()).anyMatch(l -> l.startsWith("Killed process 103 (worker-b)"));
        List<NodeState> freed = KAFKA.readAll(topics.nodeState().name()).stream()
                .map(r -> topics.nodeState().valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .filter(st -> st.getRequestId().toString().equals(k.getRequestId() + "/freed/0")).toList();
        assertThat(freed).as("the killer's node reports its state after the request that killed").singleElement()
                .satisfies(st -> assertThat(st.getTasks()).filteredOn(t -> t.getPid() == 103).singleElement()
                        .satisfies(t -> assertThat(t.getKilled()).isTrue()));
    }

    @Test
    void aMemcgKillTakesNoClusterLockAndSaysSo() throws IOException {
        List<KillEvent> kills = kills("1-node-memcg-charge.yaml");

        assertThat(kills).isNotEmpty();
        assertThat(kills).allSatisfy(k -> {
            assertThat(k.getConstraint()).isEqualTo(OomConstraint.CONSTRAINT_MEMCG);
            assertThat(k.getLockToken()).isEqualTo(-1L);
        });
    }

    @Test
    void noOomNoKill() throws IOException {
        assertThat(kills("1-node-free-and-exit-merge.yaml")).isEmpty();
    }
}
