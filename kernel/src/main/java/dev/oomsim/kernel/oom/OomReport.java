package dev.oomsim.kernel.oom;

import java.util.List;

import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.NodeMask;

/**
 * What one {@code out_of_memory} (or memcg OOM) call did and why, for observers of the killer: the outcome, the
 * request that invoked it, the best candidates {@code select_bad_process} saw with their points, the task really
 * killed with its per-node rss at the kill line, and the kernel's log lines of this call. A node agent turns it into
 * a {@code KillEvent}; the scenario output does not carry it (docs/kernel-model.md's JSON is {@link OomOutcome}).
 *
 * @param outcome      what the call did
 * @param invokingPid  {@code current}, the task whose allocation invoked the killer
 * @param invokingComm its comm
 * @param gfp          the allocation's gfp mask
 * @param order        the allocation's order
 * @param nodemask     {@code oc->nodemask} when the constraint is a memory policy, else null
 * @param candidates   at most {@link #MAX_CANDIDATES} evaluated tasks, highest points first (the chosen task first
 *                     among equal points); empty when no selection ran
 * @param victim       the task SIGKILLed as the OOM victim (the chosen task or its child), null when none was
 * @param log          the lines this call printed
 */
public record OomReport(OomOutcome outcome, int invokingPid, String invokingComm, GfpFlags gfp, int order,
        NodeMask nodemask, List<Candidate> candidates, Victim victim, List<String> log) {

    /** How many candidates a report keeps: the explanation users miss in real OOM logs, not a second task dump. */
    public static final int MAX_CANDIDATES = 10;

    /** Copies the lists. */
    public OomReport {
        candidates = List.copyOf(candidates);
        log = List.copyOf(log);
    }

    /** A task {@code select_bad_process} evaluated, with its badness (seed: unsigned, like the chosen points). */
    public record Candidate(int pid, String comm, long points) {
    }

    /** The killed task and its resident pages per node, read when the kernel printed the "Killed process" line. */
    public record Victim(int pid, String comm, int uid, List<NodeRss> rss) {
        /** Copies the list. */
        public Victim {
            rss = List.copyOf(rss);
        }
    }

    /** {@code MM_ANONPAGES} and {@code MM_FILEPAGES} of the victim's mm on one node. */
    public record NodeRss(int node, long anonPages, long filePages) {
    }
}
