package dev.oomsim.agent.wire;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.mm.NumaNode;
import dev.oomsim.kernel.mm.Page;
import dev.oomsim.kernel.mm.Zone;
import dev.oomsim.kernel.mm.ZoneSnapshot;
import dev.oomsim.kernel.mm.ZoneType;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.schemas.MemoryCall;
import dev.oomsim.schemas.MemoryOp;
import dev.oomsim.schemas.MemoryReply;
import dev.oomsim.schemas.MmRss;
import dev.oomsim.schemas.ZoneCounters;

/**
 * Another node's memory as the kernel on this agent sees it: every {@link NodeMemory} operation becomes a
 * {@link MemoryCall} on that node's command log (docs/node-agent-design.md). Operations with an answer suspend the
 * running request until the owner's {@link MemoryReply} comes back through this agent's own log; the others (charges,
 * releases) are appended in order and need none, because the same producer's later calls reach the node after them.
 *
 * <p>The rss reads of one OOM invocation ({@code oom_badness} per task, {@code dump_tasks}, the kill line) are answered
 * from one {@code RSS_GATHER} per node: the gathered counters serve every read until this agent changes the node's
 * memory (any call but a read) or the request stops for anything else. Boot-time loads are the owner's business: each
 * agent boots its own node from the machine file. Runs on the request's thread.
 */
public final class RemoteNodeMemory implements NodeMemory {

    /** How a remote memory reaches its node; implemented by the agent for the running request. */
    public interface Calls {
        /** Appends the call to {@code node}'s log and suspends the running request until its reply. */
        MemoryReply call(int node, MemoryCall.Builder call);

        /** Appends the call to {@code node}'s log; no answer. */
        void send(int node, MemoryCall.Builder call);

        /** The fencing token of the oom_lock grant under which task {@code pid} was killed, -1 when it was not. */
        long killTokenOfTask(int pid);

        /** The fencing token of the oom_lock grant under which the users of mm {@code mm} were killed, -1 when not. */
        long killTokenOfMm(int mm);

        /** Another request stopped since the gather was taken: its counters may be stale. */
        long stops();
    }

    private final NumaNode node;
    private final Calls calls;
    private Map<Integer, long[]> gathered;
    private long gatheredAt = -1;

    public RemoteNodeMemory(NumaNode node, Calls calls) {
        this.node = node;
        this.calls = calls;
    }

    @Override
    public int nodeId() {
        return node.id();
    }

    private MemoryCall.Builder op(MemoryOp op) {
        return MemoryCall.newBuilder().setRequestId("").setCallId(0).setReplyTo(-1).setOp(op);
    }

    private MemoryReply call(MemoryCall.Builder call) {
        gathered = null;
        return calls.call(node.id(), call);
    }

    private void send(MemoryCall.Builder call) {
        gathered = null;
        calls.send(node.id(), call);
    }

    @Override
    public Page zoneStep(int zoneIdx, int order, int allocFlags, int reserveIdx) {
        MemoryReply r = call(op(MemoryOp.ZONE_STEP).setZoneIdx(zoneIdx).setOrder(order).setAllocFlags(allocFlags)
                .setReserveIdx(reserveIdx));
        return OutcomeMapper.toKernel(r.getPage());
    }

    @Override
    public ZoneSnapshot zoneSnapshot(int zoneIdx) {
        ZoneCounters c = call(op(MemoryOp.ZONE_SNAPSHOT).setZoneIdx(zoneIdx)).getZone();
        Zone z = node.zone(zoneIdx);
        long[] nrFree = new long[c.getNrFree().size()];
        for (int i = 0; i < nrFree.length; i++) {
            nrFree[i] = c.getNrFree().get(i);
        }
        // Marks, reserves and sizes are the boot arithmetic every agent does alike; the counters are the owner's.
        return new ZoneSnapshot(node.id(), zoneIdx, z.type(), z.managedPages(), c.getFreePages(), nrFree,
                z.watermarks(),
                z.lowmemReserve(), c.getReservedHighatomicPages(), c.getReclaimablePages());
    }

    /** Reports read the owner's own {@code node-state}; a walk over another node's zones goes zone by zone. */
    @Override
    public List<ZoneSnapshot> zoneSnapshots() {
        throw new UnsupportedOperationException("node " + node.id() + " reports its own zones on node-state");
    }

    @Override
    public long reclaimZone(int zoneIdx, long maxPages) {
        return call(op(MemoryOp.RECLAIM_ZONE).setZoneIdx(zoneIdx).setMaxPages(maxPages)).getCount();
    }

    @Override
    public boolean unreserveHighatomicPageblock(int zoneIdx, boolean force) {
        return call(op(MemoryOp.UNRESERVE_HIGHATOMIC).setZoneIdx(zoneIdx).setForce(force)).getCount() == 1;
    }

    @Override
    public void chargeAllocation(Task t, Page page) {
        send(op(MemoryOp.CHARGE_ALLOCATION).setPid(t.pid()).setZoneIdx(zoneIndex(page.zone())).setPfn(page.pfn())
                .setOrder(page.order()));
    }

    private int zoneIndex(ZoneType type) {
        for (int i = 0; i < node.nrZones(); i++) {
            if (node.zone(i).type() == type) {
                return i;
            }
        }
        throw new IllegalArgumentException("node " + node.id() + " has no zone " + type);
    }

    @Override
    public void freePages(Task t, long pfn, int order) {
        MemoryReply r = call(op(MemoryOp.FREE_PAGES).setPid(t.pid()).setPfn(pfn).setOrder(order));
        if (r.getError() != null) {
            throw new IllegalArgumentException(r.getError());
        }
    }

    @Override
    public void chargeRss(Mm mm, long pages) {
        send(op(MemoryOp.CHARGE_RSS).setMm(mm.id()).setPages(pages));
    }

    /** The owner loads its own node from the machine file. */
    @Override
    public void loadTaskPages(Mm mm, int zoneIdx, long anonPages, long filePages) {
    }

    @Override
    public void releaseKernelPages(int pid) {
        send(op(MemoryOp.RELEASE_KERNEL_PAGES).setPid(pid).setLockToken(calls.killTokenOfTask(pid)));
    }

    @Override
    public void releaseMm(Mm mm) {
        send(op(MemoryOp.RELEASE_MM).setMm(mm.id()).setLockToken(calls.killTokenOfMm(mm.id())));
    }

    /** Not fenced: the reaper runs after the kill's lock was released, while later grants may have fenced it. */
    @Override
    public void reapMm(Mm mm) {
        send(op(MemoryOp.REAP_MM).setMm(mm.id()));
    }

    @Override
    public long anonPages(Mm mm) {
        return rss(mm)[0];
    }

    @Override
    public long filePages(Mm mm) {
        return rss(mm)[1];
    }

    private long[] rss(Mm mm) {
        if (gathered == null || gatheredAt != calls.stops()) {
            MemoryReply r = calls.call(node.id(), op(MemoryOp.RSS_GATHER));
            gathered = new HashMap<>();
            for (MmRss m : r.getRss()) {
                gathered.put(m.getMm(), new long[] {m.getAnonPages(), m.getFilePages()});
            }
            gatheredAt = calls.stops();
        }
        return gathered.getOrDefault(mm.id(), new long[2]);
    }
}
