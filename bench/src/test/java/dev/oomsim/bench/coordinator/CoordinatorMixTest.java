package dev.oomsim.bench.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskState;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class CoordinatorMixTest {

    private static final Topics TOPICS = new Topics("mix.", 64);

    @Test
    void theCountsAddUpPerTopicAndEndInOneSnapshotPerNodeAtTheNewestTime() {
        CoordinatorMix mix = CoordinatorMix.generate(TOPICS, 64, 10_000, 20_000, 1_000_000, 7);

        assertThat(mix.size()).isEqualTo(20_000 + 64);
        assertThat(mix.progress() + mix.kills() + mix.nodeStates()).isEqualTo(mix.size());
        assertThat(mix.perTopic()).containsEntry(TOPICS.progress().name(), mix.progress())
                .containsEntry(TOPICS.kills().name(), mix.kills())
                .containsEntry(TOPICS.nodeState().name(), mix.nodeStates());
        assertThat((double) mix.progress() / mix.size()).as("mostly progress").isGreaterThan(0.85);
        assertThat(mix.kills()).as("about 1 %% kills").isBetween(100L, 300L);

        List<ProducerRecord<byte[], byte[]>> tail = mix.records().subList(mix.size() - 64, mix.size());
        Set<Integer> nodes = new HashSet<>();
        for (ProducerRecord<byte[], byte[]> r : tail) {
            assertThat(r.topic()).isEqualTo(TOPICS.nodeState().name());
            assertThat(r.timestamp()).isEqualTo(mix.lastTimestampMs());
            nodes.add(decodeState(r).getNode());
        }
        assertThat(nodes).hasSize(64);
    }

    @Test
    void eventTimesAdvanceAMillisecondAnEventSoNothingIsLate() {
        CoordinatorMix mix = CoordinatorMix.generate(new Topics("mix.", 4), 4, 40, 1_000, 5_000, 1);
        long previous = Long.MIN_VALUE;
        for (ProducerRecord<byte[], byte[]> r : mix.records()) {
            assertThat(r.timestamp()).isGreaterThanOrEqualTo(previous);
            previous = r.timestamp();
        }
        assertThat(mix.records().get(0).timestamp()).isEqualTo(5_000);
        assertThat(mix.lastTimestampMs()).isEqualTo(6_000);
    }

    @Test
    void everyTaskIsOnExactlyOneNodeAndEveryNodeHasItsShare() {
        CoordinatorMix mix = CoordinatorMix.generate(TOPICS, 64, 10_000, 0, 0, 3);
        Set<Integer> pids = new HashSet<>();
        for (ProducerRecord<byte[], byte[]> r : mix.records()) {
            List<TaskState> tasks = decodeState(r).getTasks();
            assertThat(tasks.size()).isBetween(156, 157);
            tasks.forEach(t -> assertThat(pids.add(t.getPid())).as("pid %d on one node", t.getPid()).isTrue());
        }
        assertThat(pids).hasSize(10_000);
    }

    @Test
    void recordsDecodeWithTheCatalogueSerdesAndKillsPickTheInvokingNodesTasks() {
        Topics topics = new Topics("mix.", 4);
        CoordinatorMix mix = CoordinatorMix.generate(topics, 4, 400, 5_000, 0, 11);
        for (ProducerRecord<byte[], byte[]> r : mix.records()) {
            int key = topics.progress().keySerde().deserializer().deserialize(r.topic(), r.key());
            if (r.topic().equals(topics.progress().name())) {
                ProgressEvent p = topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value());
                assertThat(p.getNode()).isEqualTo(key);
                assertThat(p.getPath()).isNotEmpty();
            } else if (r.topic().equals(topics.kills().name())) {
                KillEvent k = topics.kills().valueSerde().deserializer().deserialize(r.topic(), r.value());
                assertThat(k.getVictimPid()).isEqualTo(key);
                assertThat(CoordinatorMix.pidsOf(k.getInvokingNode(), 4, 400)).contains(k.getVictimPid());
                assertThat(k.getCandidates()).hasSize(3);
            } else {
                assertThat(decodeState(r, topics).getNode()).isEqualTo(key);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameBytes() {
        CoordinatorMix a = CoordinatorMix.generate(new Topics("mix.", 4), 4, 40, 500, 0, 9);
        CoordinatorMix b = CoordinatorMix.generate(new Topics("mix.", 4), 4, 40, 500, 0, 9);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.records().get(i).value()).isEqualTo(a.records().get(i).value());
        }
    }

    @Test
    void moreNodesThanTheTopicsKnowIsRefused() {
        assertThatThrownBy(() -> CoordinatorMix.generate(new Topics("mix.", 2), 4, 40, 10, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 nodes");
    }

    private static NodeState decodeState(ProducerRecord<byte[], byte[]> r) {
        return decodeState(r, TOPICS);
    }

    private static NodeState decodeState(ProducerRecord<byte[], byte[]> r, Topics topics) {
        return topics.nodeState().valueSerde().deserializer().deserialize(r.topic(), r.value());
    }
}
