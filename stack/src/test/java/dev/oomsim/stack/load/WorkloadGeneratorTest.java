package dev.oomsim.stack.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;

import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.TaskEventKind;
import dev.oomsim.schemas.topics.Topics;
import org.junit.jupiter.api.Test;

class WorkloadGeneratorTest {

    private static final Workload MIXED = WorkloadFiles.read(Path.of("..", "scenarios", "workloads",
            "mixed-gfp-burst.yaml"));
    private static final Topics TOPICS = Topics.defaults(2);

    /** Every record as the bytes the catalogue serdes put on the wire (commands stamped 0). */
    private static byte[] wire(List<LoadRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (LoadRecord r : records) {
            byte[] v;
            if (r instanceof LoadRecord.Task t) {
                v = TOPICS.taskEvents().valueSerde().serializer().serialize("t", t.event());
            } else {
                LoadRecord.Request q = (LoadRecord.Request) r;
                v = TOPICS.allocRequests().valueSerde().serializer().serialize("a", NodeCommand.newBuilder()
                        .setCommandId(q.request().getRequestId()).setOrigin(-1).setBody(q.request()).build());
            }
            out.writeBytes(v);
        }
        return out.toByteArray();
    }

    @Test
    void sameFileAndSeedGiveTheSameBytes() {
        byte[] a = wire(WorkloadGenerator.all(MIXED, 42, 0));
        byte[] b = wire(WorkloadGenerator.all(WorkloadFiles.read(Path.of("..", "scenarios", "workloads",
                "mixed-gfp-burst.yaml")), 42, 0));
        assertThat(a).isEqualTo(b);
        assertThat(wire(WorkloadGenerator.all(MIXED, 43, 0))).isNotEqualTo(a);
    }

    @Test
    void tasksSpawnBeforeTheirRequestsAndExitAtTheirTime() {
        List<LoadRecord> all = WorkloadGenerator.all(MIXED, 7, 0);
        int spawnJava = -1;
        int firstJava = -1;
        int exitJava = -1;
        int lastJava = -1;
        for (int i = 0; i < all.size(); i++) {
            LoadRecord r = all.get(i);
            if (r instanceof LoadRecord.Task t && t.event().getPid() == 602) {
                assertThat(t.event().getKind()).isEqualTo(TaskEventKind.SPAWN);
                assertThat(t.atNanos()).isEqualTo(2_000_000_000L);
                spawnJava = i;
            } else if (r instanceof LoadRecord.Request q && q.request().getPid() == 602) {
                if (q.request().getOp() == AllocOp.EXIT) {
                    exitJava = i;
                    assertThat(q.atNanos()).isEqualTo(18_000_000_000L);
                } else {
                    firstJava = firstJava < 0 ? i : firstJava;
                    lastJava = i;
                    assertThat(q.node()).isEqualTo(1);
                }
            }
        }
        assertThat(spawnJava).isNotNegative().isLessThan(firstJava);
        assertThat(lastJava).isLessThan(exitJava);
    }

    @Test
    void growthFollowsTheRateAndBurstsComeAtOnce() {
        List<LoadRecord> all = WorkloadGenerator.all(MIXED, 7, 0);
        long nfsPages = all.stream().filter(r -> r instanceof LoadRecord.Request q && q.request().getPid() == 600)
                .mapToLong(r -> 1L << ((LoadRecord.Request) r).request().getOrder()).sum();
        // 200 pages/s for 20 s: the carried remainder keeps it within one block of the target.
        assertThat(nfsPages).isBetween(4000L, 4002L);
        long atFive = all.stream().filter(r -> r instanceof LoadRecord.Request q && q.request().getPid() == 601
                && q.atNanos() == 5_000_000_000L).count();
        assertThat(atFive).isEqualTo(200);
        long nofail = all.stream().filter(r -> r instanceof LoadRecord.Request q && q.request().getPid() == 603
                && q.request().getOp() == AllocOp.ALLOC).count();
        assertThat(nofail).isEqualTo(1);
    }

    @Test
    void requestIdsAreUniqueAndCarryTheSeed() {
        List<LoadRecord> all = WorkloadGenerator.all(MIXED, 9, 0);
        List<String> ids = all.stream().filter(r -> r instanceof LoadRecord.Request)
                .map(r -> ((LoadRecord.Request) r).request().getRequestId()).toList();
        assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.startsWith("load-9-"));
    }

    @Test
    void durationCutsTheRun() {
        List<LoadRecord> all = WorkloadGenerator.all(MIXED, 1, 1_000_000_000L);
        assertThat(all).allMatch(r -> r.atNanos() < 1_000_000_000L);
    }
}
