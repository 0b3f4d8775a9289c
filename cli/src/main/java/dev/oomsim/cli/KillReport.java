package dev.oomsim.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.oomsim.schemas.KillCandidate;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeRss;
import dev.oomsim.schemas.OomConstraint;
import dev.oomsim.schemas.Profile;

/**
 * One kill from the {@code kills} topic as a user reads it: the kernel's own log lines for the event's profile (what
 * {@code dmesg} would show), and one line under them saying why this victim — the top candidates with their points,
 * the task {@code select_bad_process} chose, and the constraint the OOM ran under — or the same as one JSON object.
 */
final class KillReport {

    /** How many candidates the explanation names (the event carries up to ten). */
    static final int CANDIDATES_SHOWN = 3;
    /** The explanation line's prefix: it is not a kernel line, so it does not look like one. */
    static final String EXPLANATION_PREFIX = "  why: ";

    private KillReport() {
    }

    /** The kernel's log lines of the kill, then the explanation line, each ending in a newline. */
    static String dmesg(KillEvent kill) {
        StringBuilder out = new StringBuilder();
        for (String line : kill.getLog()) {
            out.append(line).append('\n');
        }
        out.append(EXPLANATION_PREFIX).append(explanation(kill)).append('\n');
        return out.toString();
    }

    /**
     * Why this victim, in one line: who was killed, whether it is the chosen task or the child sacrificed for it (the
     * seed's {@code oom_kill_process}), the best candidates with their points, the constraint and who invoked it.
     */
    static String explanation(KillEvent kill) {
        List<KillCandidate> candidates = kill.getCandidates();
        String chosenComm = candidates.stream().filter(c -> c.getPid() == kill.getChosenPid())
                .map(KillCandidate::getComm)
                .findFirst().orElse(null);
        StringBuilder why = new StringBuilder();
        String points = points(kill.getPoints(), kill.getProfile());
        if (kill.getVictimPid() == kill.getChosenPid()) {
            why.append("killed ").append(task(kill.getVictimPid(), kill.getVictimComm()));
            if (candidates.size() == 1) {
                why.append(", the only candidate");
            } else if (candidates.isEmpty()) {
                why.append(", the allocating task (vm.oom_kill_allocating_task)");
            } else {
                why.append(", the highest badness");
            }
            why.append(": ").append(points).append(" points of ").append(kill.getTotalpages())
                    .append(" pages, score ").append(kill.getScore());
        } else {
            why.append("chose ").append(task(kill.getChosenPid(), chosenComm)).append(" with ").append(points)
                    .append(" points (score ").append(kill.getScore()).append(") and killed its child ")
                    .append(task(kill.getVictimPid(), kill.getVictimComm()))
                    .append(" instead: the seed sacrifices the child with the most points that has its own mm");
        }
        if (!candidates.isEmpty()) {
            why.append("; top candidates ").append(candidates.stream().limit(CANDIDATES_SHOWN)
                    .map(c -> c.getPid() + " " + c.getComm() + " " + points(c.getPoints(), kill.getProfile()))
                    .collect(Collectors.joining(", ")));
        }
        why.append("; ").append(constraint(kill));
        why.append("; invoked by ").append(task(kill.getInvokingPid(), kill.getInvokingComm()))
                .append(" on node ").append(kill.getInvokingNode());
        long freedPages = kill.getVictimRss().stream().mapToLong(r -> r.getAnonPages() + r.getFilePages()).sum();
        if (freedPages > 0) {
            why.append(", freeing ").append(freedPages).append(" pages");
        }
        return why.toString();
    }

    /** The kill as one JSON-ready tree: every field of the event, plus the explanation line. */
    static Map<String, Object> tree(KillEvent kill) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("request_id", kill.getRequestId());
        t.put("profile", kill.getProfile().name().toLowerCase(Locale.ROOT));
        t.put("victim", Map.of("pid", kill.getVictimPid(), "comm", kill.getVictimComm(), "uid", kill.getVictimUid()));
        t.put("chosen_pid", kill.getChosenPid());
        t.put("points", kill.getProfile() == Profile.SEED && kill.getPoints() < 0
                ? Long.toUnsignedString(kill.getPoints()) : kill.getPoints());
        t.put("score", kill.getScore());
        t.put("totalpages", kill.getTotalpages());
        t.put("constraint", kill.getConstraint().name());
        t.put("nodemask", kill.getNodemask());
        List<Object> rss = new ArrayList<>();
        for (NodeRss r : kill.getVictimRss()) {
            rss.add(Map.of("node", r.getNode(), "anon", r.getAnonPages(), "file", r.getFilePages()));
        }
        t.put("victim_rss", rss);
        t.put("gfp_mask", String.format("%#x", kill.getGfpMask()));
        t.put("order", kill.getOrder());
        t.put("invoking", Map.of("node", kill.getInvokingNode(), "pid", kill.getInvokingPid(),
                "comm", kill.getInvokingComm()));
        t.put("lock_token", kill.getLockToken());
        t.put("signalled", kill.getSignalled());
        List<Object> candidates = new ArrayList<>();
        for (KillCandidate c : kill.getCandidates()) {
            candidates.add(Map.of("pid", c.getPid(), "comm", c.getComm(), "points", c.getPoints()));
        }
        t.put("candidates", candidates);
        t.put("log", kill.getLog());
        t.put("explanation", explanation(kill));
        return t;
    }

    private static String constraint(KillEvent kill) {
        OomConstraint c = kill.getConstraint();
        String nodes = kill.getNodemask() == null ? "" : " " + kill.getNodemask();
        return switch (c) {
            case CONSTRAINT_NONE -> "a global OOM (CONSTRAINT_NONE): every task was a candidate";
            case CONSTRAINT_CPUSET -> "a cpuset OOM (CONSTRAINT_CPUSET): only tasks whose cpuset may use the nodes"
                    + nodes;
            case CONSTRAINT_MEMORY_POLICY -> "a mempolicy OOM (CONSTRAINT_MEMORY_POLICY): only tasks bound to nodes"
                    + nodes;
            case CONSTRAINT_MEMCG -> "a memcg OOM (CONSTRAINT_MEMCG): only tasks of the memcg over its limit";
        };
    }

    /** Badness points; the seed's {@code oom_badness} of an oom_origin task is an unsigned 64-bit sentinel. */
    private static String points(long points, Profile profile) {
        return profile == Profile.SEED && points < 0 ? Long.toUnsignedString(points) : Long.toString(points);
    }

    private static String task(int pid, String comm) {
        return comm == null || comm.isEmpty() ? "pid " + pid : pid + " (" + comm + ")";
    }
}
