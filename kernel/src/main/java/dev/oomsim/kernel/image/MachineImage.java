package dev.oomsim.kernel.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.sysctl.VmSysctl;

/**
 * Everything of a booted {@code ScenarioRunner} that events change, taken between events: the {@code Machine}'s
 * globals (sysctls, the logical clock, the panic flag, {@code oom_rs} and {@code nopage_rs}, the in-process
 * {@code oom_lock}), the task list ({@code TaskTable}: every task in creation order, and the tasks changed since its
 * change record was last drained), every mm's node-independent counters, and the memory of the nodes the taker owns
 * ({@link NodeImage}: zones, free lists in exact order, per-node rss and holdings, kernel holdings).
 *
 * <p>Left out, because it is fixed once the machine file is booted and every restore starts from such a boot:
 * topology, distances, zonelists, each zone's boot layout, cpusets, memcgs, each task's identity, cpuset, mempolicy
 * and memcg, the machine's options and models (reclaim and compaction models keep no state). Left out because
 * nothing outlives the event that made it: {@code KernelLog}s (one per event, returned in its result),
 * {@code PageAllocator}'s last direct {@code mayOom} state (read by the same {@code may_oom} event only), the
 * per-call slow-path, alloc-context and {@code out_of_memory} records, the OOM killer's observer and allocator
 * (wiring, not state). A cluster {@code oom_lock} ({@code oomLock} empty) is restored from its own topic, not from
 * here. The replay position (which command or event comes next) is the caller's: the runner does not count events.
 */
public record MachineImage(Profile profile, Arch arch, int nrNodes, VmSysctl sysctl, long nowMs, boolean panicked,
        RatelimitImage oomReportRatelimit, RatelimitImage nopageRatelimit, Optional<OomLockImage> oomLock,
        List<TaskImage> tasks, List<Integer> changedPids, List<MmImage> mms, List<NodeImage> nodes) {

    /** Copies the lists; node images come in ascending id order, each of a node of the machine. */
    public MachineImage {
        if (profile == null || arch == null || sysctl == null || oomReportRatelimit == null || nopageRatelimit == null
                || oomLock == null || tasks == null || changedPids == null || mms == null || nodes == null) {
            throw new IllegalArgumentException("machine image: every part must be set (oomLock empty when the lock"
                    + " is not in process)");
        }
        tasks = List.copyOf(tasks);
        changedPids = List.copyOf(changedPids);
        mms = List.copyOf(mms);
        nodes = List.copyOf(nodes);
        int prev = -1;
        for (NodeImage n : nodes) {
            if (n.nodeId() <= prev || n.nodeId() >= nrNodes) {
                throw new IllegalArgumentException("machine image: node images must be of nodes 0.." + (nrNodes - 1)
                        + " in ascending order, got node " + n.nodeId() + " after " + prev);
            }
            prev = n.nodeId();
        }
    }

    /** The ids of the nodes whose memory the image holds (the taker's own), ascending. */
    public List<Integer> nodeIds() {
        List<Integer> ids = new ArrayList<>();
        for (NodeImage n : nodes) {
            ids.add(n.nodeId());
        }
        return ids;
    }

    /** Free blocks listed over every imaged node: the {@code long}s the free lists cost in the image. */
    public long freeListPfns() {
        long n = 0;
        for (NodeImage node : nodes) {
            n += node.freeListPfns();
        }
        return n;
    }
}
