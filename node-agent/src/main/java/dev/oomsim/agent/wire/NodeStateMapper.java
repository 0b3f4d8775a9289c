package dev.oomsim.agent.wire;

import java.util.ArrayList;
import java.util.List;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.mm.ZoneSnapshot;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.TaskState;
import dev.oomsim.schemas.ZoneState;

/** One node of the kernel model as the {@code node-state} topic's {@link NodeState}. Stateless. */
public final class NodeStateMapper {

    private NodeStateMapper() {
    }

    /**
     * Node {@code nodeId} of {@code machine} as it stands: zones with marks, reserves and free lists; tasks with
     * liveness and rss on this node.
     */
    public static NodeState nodeState(Machine machine, int nodeId, long sequence, String requestId) {
        NodeMemory memory = machine.memory(nodeId);
        List<ZoneState> zones = new ArrayList<>();
        for (ZoneSnapshot z : memory.zoneSnapshots()) {
            List<Long> nrFree = new ArrayList<>();
            for (long v : z.nrFree()) {
                nrFree.add(v);
            }
            List<Long> reserve = new ArrayList<>();
            for (long v : z.lowmemReserve()) {
                reserve.add(v);
            }
            zones.add(ZoneState.newBuilder()
                    .setZone(SameNamed.as(z.type()))
                    .setManagedPages(z.managedPages())
                    .setFreePages(z.freePages())
                    .setNrFree(nrFree)
                    .setWatermarkMin(z.watermarks().minPages())
                    .setWatermarkLow(z.watermarks().lowPages())
                    .setWatermarkHigh(z.watermarks().highPages())
                    .setLowmemReserve(reserve)
                    .setReclaimablePages(z.reclaimablePages())
                    .build());
        }
        List<TaskState> tasks = new ArrayList<>();
        for (Task t : machine.tasks().all()) {
            tasks.add(TaskState.newBuilder()
                    .setPid(t.pid())
                    .setAlive(t.alive())
                    .setMemdie(t.has(TaskFlag.MEMDIE))
                    .setKilled(t.killed())
                    .setRssPages(t.mm() == null ? 0L : memory.anonPages(t.mm()) + memory.filePages(t.mm()))
                    .build());
        }
        return NodeState.newBuilder()
                .setNode(nodeId)
                .setSequence(sequence)
                .setRequestId(requestId)
                .setProfile(SameNamed.as(machine.profile()))
                .setMinFreeKbytes(machine.sysctl().minFreeKbytes())
                .setTotalramPages(machine.totalramPages())
                .setOomLockHeld(machine.oomLock().isHeld())
                .setZones(zones)
                .setTasks(tasks)
                .build();
    }
}
