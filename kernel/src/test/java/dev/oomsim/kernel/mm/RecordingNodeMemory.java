package dev.oomsim.kernel.mm;

import java.util.List;

import dev.oomsim.kernel.image.NodeImage;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;

/**
 * Test decorator: delegates every {@link NodeMemory} call to another implementation and appends one line per call, with
 * its arguments and result, to a journal shared by several nodes, so a test sees the calls in the order the kernel
 * made them. Lines read {@code n<node> <operation>(<args>) -> <result>}; zone arguments are zone indexes.
 */
public final class RecordingNodeMemory implements NodeMemory {
    private final NodeMemory delegate;
    private final List<String> journal;

    /** Records the calls on {@code delegate} into {@code journal}. */
    public RecordingNodeMemory(NodeMemory delegate, List<String> journal) {
        this.delegate = delegate;
        this.journal = journal;
    }

    private void record(String call) {
        journal.add("n" + delegate.nodeId() + " " + call);
    }

    private static String page(Page p) {
        return p == null ? "null" : p.zone() + " pfn " + p.pfn() + " order " + p.order();
    }

    private static String mm(Mm mm) {
        return "mm " + mm.id();
    }

    @Override
    public int nodeId() {
        return delegate.nodeId();
    }

    @Override
    public Page zoneStep(int zoneIdx, int order, int allocFlags, int reserveIdx) {
        Page p = delegate.zoneStep(zoneIdx, order, allocFlags, reserveIdx);
        record("zoneStep(zone " + zoneIdx + ", order " + order + ", flags 0x" + Integer.toHexString(allocFlags)
                + ", reserve " + reserveIdx + ") -> " + page(p));
        return p;
    }

    @Override
    public ZoneSnapshot zoneSnapshot(int zoneIdx) {
        ZoneSnapshot s = delegate.zoneSnapshot(zoneIdx);
        record("zoneSnapshot(zone " + zoneIdx + ") -> free " + s.freePages());
        return s;
    }

    @Override
    public List<ZoneSnapshot> zoneSnapshots() {
        List<ZoneSnapshot> s = delegate.zoneSnapshots();
        record("zoneSnapshots() -> " + s.size() + " zones");
        return s;
    }

    @Override
    public long reclaimZone(int zoneIdx, long maxPages) {
        long freed = delegate.reclaimZone(zoneIdx, maxPages);
        record("reclaimZone(zone " + zoneIdx + ", max " + maxPages + ") -> " + freed);
        return freed;
    }

    @Override
    public boolean unreserveHighatomicPageblock(int zoneIdx, boolean force) {
        boolean done = delegate.unreserveHighatomicPageblock(zoneIdx, force);
        record("unreserveHighatomicPageblock(zone " + zoneIdx + ", force " + force + ") -> " + done);
        return done;
    }

    @Override
    public void chargeAllocation(Task t, Page page) {
        delegate.chargeAllocation(t, page);
        record("chargeAllocation(pid " + t.pid() + ", " + page(page) + ")");
    }

    @Override
    public void freePages(Task t, long pfn, int order) {
        delegate.freePages(t, pfn, order);
        record("freePages(pid " + t.pid() + ", pfn " + pfn + ", order " + order + ")");
    }

    @Override
    public void chargeRss(Mm mm, long pages) {
        delegate.chargeRss(mm, pages);
        record("chargeRss(" + mm(mm) + ", " + pages + ")");
    }

    @Override
    public void loadTaskPages(Mm mm, int zoneIdx, long anonPages, long filePages) {
        delegate.loadTaskPages(mm, zoneIdx, anonPages, filePages);
        record("loadTaskPages(" + mm(mm) + ", zone " + zoneIdx + ", anon " + anonPages + ", file " + filePages + ")");
    }

    @Override
    public void releaseKernelPages(int pid) {
        delegate.releaseKernelPages(pid);
        record("releaseKernelPages(pid " + pid + ")");
    }

    @Override
    public void releaseMm(Mm mm) {
        delegate.releaseMm(mm);
        record("releaseMm(" + mm(mm) + ")");
    }

    @Override
    public void reapMm(Mm mm) {
        delegate.reapMm(mm);
        record("reapMm(" + mm(mm) + ")");
    }

    @Override
    public long anonPages(Mm mm) {
        long v = delegate.anonPages(mm);
        record("anonPages(" + mm(mm) + ") -> " + v);
        return v;
    }

    @Override
    public long filePages(Mm mm) {
        long v = delegate.filePages(mm);
        record("filePages(" + mm(mm) + ") -> " + v);
        return v;
    }

    @Override
    public NodeImage captureImage(List<Mm> mms) {
        NodeImage image = delegate.captureImage(mms);
        record("captureImage(" + mms.size() + " mms)");
        return image;
    }

    @Override
    public void restoreImage(NodeImage image, List<Mm> mms) {
        delegate.restoreImage(image, mms);
        record("restoreImage(" + mms.size() + " mms)");
    }
}
