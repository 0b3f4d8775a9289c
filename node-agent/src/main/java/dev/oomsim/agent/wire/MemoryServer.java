package dev.oomsim.agent.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.mm.NumaNode;
import dev.oomsim.kernel.mm.Page;
import dev.oomsim.kernel.mm.ZoneSnapshot;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.schemas.MemoryCall;
import dev.oomsim.schemas.MemoryReply;
import dev.oomsim.schemas.MmRss;
import dev.oomsim.schemas.ZoneCounters;
import dev.oomsim.service.DeadLetterCategory;

/**
 * The owner's side of {@link RemoteNodeMemory}: performs another node's {@link MemoryCall} on this node's
 * {@link NodeMemory} at once (never suspending, so agents cannot wait on each other in a cycle) and builds the reply
 * when the call has an answer. Fencing of kill releases is the caller's. Runs on the command-log thread.
 */
public final class MemoryServer {
    private final Machine machine;
    private final int nodeId;
    private final NodeMemory local;
    private final Map<Integer, Mm> mms;

    /** Serves node {@code nodeId} of {@code machine}; {@code mms} finds an mm by id (calls name mms by id). */
    public MemoryServer(Machine machine, int nodeId, Map<Integer, Mm> mms) {
        this.machine = machine;
        this.nodeId = nodeId;
        this.local = machine.memory(nodeId);
        this.mms = mms;
    }

    /** Performs the call; its reply for the caller, or empty for calls without an answer (charges, releases). */
    public Optional<MemoryReply> serve(MemoryCall c) throws Rejected {
        String what = c.getOp() + " of request " + c.getRequestId();
        MemoryReply.Builder reply = MemoryReply.newBuilder().setRequestId(c.getRequestId()).setCallId(c.getCallId())
                .setNode(nodeId).setPage(null).setZone(null).setError(null);
        switch (c.getOp()) {
            case ZONE_STEP -> {
                Page p = local.zoneStep(zoneIdx(c), c.getOrder(), c.getAllocFlags(), c.getReserveIdx());
                reply.setPage(p == null ? null : OutcomeMapper.toAvro(p));
            }
            case ZONE_SNAPSHOT -> {
                ZoneSnapshot z = local.zoneSnapshot(zoneIdx(c));
                List<Long> nrFree = new ArrayList<>();
                for (long v : z.nrFree()) {
                    nrFree.add(v);
                }
                reply.setZone(new ZoneCounters(z.freePages(), nrFree, z.reservedHighatomicPages(),
                        z.reclaimablePages()));
            }
            case RECLAIM_ZONE -> reply.setCount(local.reclaimZone(zoneIdx(c), c.getMaxPages()));
            case UNRESERVE_HIGHATOMIC -> reply.setCount(local.unreserveHighatomicPageblock(zoneIdx(c), c.getForce())
                    ? 1 : 0);
            case RSS_GATHER -> {
                List<MmRss> rss = new ArrayList<>();
                for (Mm mm : mms.values()) {
                    long anon = local.anonPages(mm);
                    long file = local.filePages(mm);
                    if (anon != 0 || file != 0) {
                        rss.add(new MmRss(mm.id(), anon, file));
                    }
                }
                reply.setRss(rss);
            }
            case FREE_PAGES -> {
                try {
                    local.freePages(task(c, what), c.getPfn(), c.getOrder());
                } catch (IllegalArgumentException e) {
                    reply.setError(e.getMessage());
                }
            }
            case CHARGE_ALLOCATION -> {
                int zoneIdx = zoneIdx(c);
                local.chargeAllocation(task(c, what),
                        new Page(nodeId, machine.node(nodeId).zone(zoneIdx).type(), c.getPfn(), c.getOrder()));
                return Optional.empty();
            }
            case CHARGE_RSS -> {
                local.chargeRss(mm(c, what), c.getPages());
                return Optional.empty();
            }
            case RELEASE_KERNEL_PAGES -> {
                local.releaseKernelPages(c.getPid());
                return Optional.empty();
            }
            case RELEASE_MM -> {
                local.releaseMm(mm(c, what));
                return Optional.empty();
            }
            case REAP_MM -> {
                local.reapMm(mm(c, what));
                return Optional.empty();
            }
            default -> throw new Rejected(DeadLetterCategory.UNKNOWN_OP, "unknown memory call " + c.getOp());
        }
        return Optional.of(reply.build());
    }

    private int zoneIdx(MemoryCall c) throws Rejected {
        NumaNode n = machine.node(nodeId);
        if (c.getZoneIdx() < 0 || c.getZoneIdx() >= n.nrZones() || !n.zone(c.getZoneIdx()).populated()) {
            throw new Rejected(DeadLetterCategory.UNKNOWN_ZONE, "node " + nodeId + " has no populated zone "
                    + c.getZoneIdx());
        }
        return c.getZoneIdx();
    }

    private Task task(MemoryCall c, String what) throws Rejected {
        Task t = machine.tasks().get(c.getPid());
        if (t == null) {
            throw new Rejected(DeadLetterCategory.UNKNOWN_PID, what + " names unknown pid " + c.getPid());
        }
        return t;
    }

    private Mm mm(MemoryCall c, String what) throws Rejected {
        Mm mm = mms.get(c.getMm());
        if (mm == null) {
            throw new Rejected(DeadLetterCategory.UNKNOWN_MM, what + " names unknown mm " + c.getMm());
        }
        return mm;
    }
}
