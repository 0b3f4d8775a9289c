package dev.oomsim.agent.wire;

import java.util.ArrayList;
import java.util.List;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.oom.Chosen;
import dev.oomsim.kernel.oom.OomOutcome;
import dev.oomsim.kernel.oom.OomReport;
import dev.oomsim.schemas.KillCandidate;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeRss;

/**
 * The {@code KillEvent} of one kill the kernel reported: who died, why (the candidates), and under which lock grant.
 */
public final class KillEvents {

    private KillEvents() {
    }

    /**
     * The event for {@code report}, whose victim is set, decided by request {@code requestId} on {@code node} under the
     * {@code oom_lock} grant {@code lockToken} (-1 for a memcg OOM, which takes no cluster lock); the gfp mask and the
     * profile are spelled as {@code machine}'s profile spells them.
     */
    public static KillEvent of(String requestId, int node, OomReport report, Machine machine, long lockToken) {
        OomOutcome outcome = report.outcome();
        OomReport.Victim victim = report.victim();
        Chosen chosen = outcome.chosen();
        List<NodeRss> rss = new ArrayList<>();
        for (OomReport.NodeRss r : victim.rss()) {
            rss.add(new NodeRss(r.node(), r.anonPages(), r.filePages()));
        }
        List<KillCandidate> candidates = new ArrayList<>();
        for (OomReport.Candidate c : report.candidates()) {
            candidates.add(new KillCandidate(c.pid(), c.comm(), c.points()));
        }
        return KillEvent.newBuilder()
                .setRequestId(requestId)
                .setVictimPid(victim.pid())
                .setVictimComm(victim.comm())
                .setVictimUid(victim.uid())
                .setChosenPid(chosen == null ? victim.pid() : chosen.pid())
                .setPoints(chosen == null ? 0 : chosen.points())
                .setScore(chosen == null ? 0 : chosen.score())
                .setTotalpages(outcome.totalpages() == null ? 0 : outcome.totalpages())
                .setConstraint(SameNamed.as(outcome.constraint()))
                .setNodemask(report.nodemask() == null ? null : report.nodemask().nodes())
                .setVictimRss(rss)
                .setGfpMask(Integer.toUnsignedLong(report.gfp().raw(machine.profile())))
                .setOrder(report.order())
                .setInvokingNode(node)
                .setInvokingPid(report.invokingPid())
                .setInvokingComm(report.invokingComm())
                .setLockToken(lockToken)
                .setProfile(SameNamed.as(machine.profile()))
                .setSignalled(outcome.signalled())
                .setCandidates(candidates)
                .setLog(report.log())
                .build();
    }
}
