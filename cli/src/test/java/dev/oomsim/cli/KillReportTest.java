package dev.oomsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.oomsim.schemas.EventType;
import dev.oomsim.schemas.KillCandidate;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeRss;
import dev.oomsim.schemas.OomConstraint;
import dev.oomsim.schemas.Profile;
import org.junit.jupiter.api.Test;

class KillReportTest {

    static {
        // Copying builders (newBuilder(other)) need Avro to trust our generated classes, as the serdes arrange.
        EventType.KILL_EVENT.schema();
    }

    /** The kill of scenarios/1-node-child-sacrifice.yaml as the agent publishes it (KillEventIT holds the fields). */
    private static KillEvent childSacrifice() {
        return KillEvent.newBuilder().setRequestId("event-0").setVictimPid(103).setVictimComm("worker-b")
                .setVictimUid(0).setChosenPid(100).setPoints(5020).setScore(612).setTotalpages(8192)
                .setConstraint(OomConstraint.CONSTRAINT_NONE).setNodemask(null)
                .setVictimRss(List.of(new NodeRss(0, 900L, 0L))).setGfpMask(0x24000c0L).setOrder(0)
                .setInvokingNode(0).setInvokingPid(1000).setInvokingComm("bash").setLockToken(3)
                .setProfile(Profile.SEED).setSignalled(List.of(105))
                .setCandidates(List.of(new KillCandidate(100, "supervisor", 5020L), new KillCandidate(101, "thread-ish",
                        5020L), new KillCandidate(103, "worker-b", 900L), new KillCandidate(1000, "bash", 100L)))
                .setLog(List.of("bash invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0",
                        "Out of memory: Kill process 100 (supervisor) score 612 or sacrifice child",
                        "Killed process 103 (worker-b) total-vm:4000kB, anon-rss:3600kB, file-rss:0kB"))
                .build();
    }

    @Test
    void dmesgPrintsTheKernelLinesThenOneExplanationLine() {
        String out = KillReport.dmesg(childSacrifice());

        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.subList(0, 3)).isEqualTo(childSacrifice().getLog());
        assertThat(lines.get(3)).startsWith("  why: ");
        assertThat(out).endsWith("\n");
    }

    @Test
    void aSacrificedChildIsExplainedAsTheChildOfTheChosenTask() {
        String why = KillReport.explanation(childSacrifice());

        assertThat(why).startsWith("chose 100 (supervisor) with 5020 points (score 612) and killed its child"
                + " 103 (worker-b) instead")
                .contains("top candidates 100 supervisor 5020, 101 thread-ish 5020, 103 worker-b 900;")
                .doesNotContain("1000 bash 100")
                .contains("global OOM (CONSTRAINT_NONE)")
                .contains("invoked by 1000 (bash) on node 0")
                .endsWith("freeing 900 pages");
    }

    @Test
    void aChosenVictimIsExplainedByItsBadnessAndTheConstraint() {
        KillEvent kill = KillEvent.newBuilder(childSacrifice()).setVictimPid(900).setVictimComm("java")
                .setChosenPid(900).setPoints(5010).setScore(611).setConstraint(OomConstraint.CONSTRAINT_CPUSET)
                .setNodemask(List.of(1)).setCandidates(List.of(new KillCandidate(900, "java", 5010L),
                        new KillCandidate(1000, "bash", 600L))).build();

        assertThat(KillReport.explanation(kill))
                .startsWith("killed 900 (java), the highest badness: 5010 points of 8192 pages, score 611;"
                        + " top candidates 900 java 5010, 1000 bash 600;")
                .contains("cpuset OOM (CONSTRAINT_CPUSET): only tasks whose cpuset may use the nodes [1]");
    }

    @Test
    void theSeedsOomOriginSentinelPrintsUnsigned() {
        KillEvent kill = KillEvent.newBuilder(childSacrifice()).setVictimPid(100).setChosenPid(100).setPoints(-1L)
                .setCandidates(List.of(new KillCandidate(100, "supervisor", -1L))).build();

        assertThat(KillReport.explanation(kill)).contains("18446744073709551615 points")
                .contains("the only candidate");
        assertThat(KillReport.tree(kill)).containsEntry("points", "18446744073709551615");
    }

    @Test
    void theJsonTreeCarriesEveryFieldAndTheExplanation() {
        Map<String, Object> tree = KillReport.tree(childSacrifice());

        assertThat(tree).containsEntry("request_id", "event-0").containsEntry("profile", "seed")
                .containsEntry("chosen_pid", 100).containsEntry("gfp_mask", "0x24000c0")
                .containsEntry("constraint", "CONSTRAINT_NONE").containsEntry("lock_token", 3L)
                .containsEntry("explanation", KillReport.explanation(childSacrifice()));
        assertThat(tree.get("victim")).isEqualTo(Map.of("pid", 103, "comm", "worker-b", "uid", 0));
        assertThat(tree.get("log")).isEqualTo(childSacrifice().getLog());
    }
}
