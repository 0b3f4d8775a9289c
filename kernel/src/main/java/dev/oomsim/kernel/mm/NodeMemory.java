package dev.oomsim.kernel.mm;

import java.util.List;

import dev.oomsim.kernel.image.NodeImage;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;

/**
 * Every operation the allocator, the OOM killer and the machine perform on ONE NUMA node's zones (and on the pages
 * tasks hold there). The kernel's straight-line code reaches a node only through this seam
 * ({@code Machine.memory(nodeId)}), so a node agent can answer operations on other nodes with calls to their agents
 * (node-agent-design.md) while {@code allocPages}, the slow path and {@code out_of_memory} stay unchanged.
 * {@link LocalNodeMemory} is the in-process implementation over the node's {@link Zone}s. Zones are named by the arch's
 * zone index; pages by first pfn and order. Runs on the thread that owns the node.
 */
public interface NodeMemory {

    /** The node this memory belongs to ({@code pgdat->node_id}). */
    int nodeId();

    /**
     * The per-zone body of {@code get_page_from_freelist} after the cpuset rule (which needs only the task table and
     * stays in {@link PageAllocator#zoneStep}): {@code zone_watermark_ok} at mark {@code allocFlags & ALLOC_WMARK_MASK}
     * against {@code lowmem_reserve[reserveIdx]} (skipped on failure unless {@code ALLOC_NO_WATERMARKS}), then
     * {@code rmqueue} ({@code __rmqueue_smallest}). Returns the block taken, or null. Used by the fast path, every
     * slow-path walk and may_oom's high-watermark walk, one call per eligible zone in zonelist order.
     */
    Page zoneStep(int zoneIdx, int order, int allocFlags, int reserveIdx);

    /**
     * One zone's counters at this instant: what {@code should_reclaim_retry} (modern slow path) reads of a zone (free,
     * reclaimable, min mark, reserves, {@code nr_free[]}).
     */
    ZoneSnapshot zoneSnapshot(int zoneIdx);

    /**
     * A snapshot of every populated zone, lowest index first: the scenario runner's {@code boot} and {@code state}
     * reports.
     */
    List<ZoneSnapshot> zoneSnapshots();

    /**
     * {@code shrink_zone} on one zone, as the reclaim models do it: frees up to {@code maxPages} of the zone's
     * reclaimable pages back to its buddy lists and returns how many it freed. Called by {@link ReclaimModel}s from
     * {@code __alloc_pages_direct_reclaim}, zones in zonelist order.
     */
    long reclaimZone(int zoneIdx, long maxPages);

    /**
     * Mirrors the per-zone body of {@code unreserve_highatomic_pageblock}: gives one pageblock of the zone's
     * {@code nr_reserved_highatomic} back when the zone has some (more than one pageblock unless {@code force});
     * returns whether it did. Called from direct reclaim and {@code should_reclaim_retry}, zones in zonelist order.
     */
    boolean unreserveHighatomicPageblock(int zoneIdx, boolean force);

    /**
     * Records a block of this node handed to {@code t} at the end of {@code allocPages} / {@code mayOom}: a holding
     * and anon rss of {@code t}'s mm on this node, or a kernel (mm-less) holding of {@code t}.
     */
    void chargeAllocation(Task t, Page page);

    /**
     * Mirrors {@code __free_pages} for the scenario's {@code free} event: frees the aligned block of {@code 2^order}
     * pages at {@code pfn} that {@code t} holds on this node; throws when the block is not one of this node's or
     * {@code t} does not hold it all.
     */
    void freePages(Task t, long pfn, int order);

    /** The scenario's memcg {@code charge} event: counts {@code pages} as anon rss of {@code mm} on this node. */
    void chargeRss(Mm mm, long pages);

    /**
     * Boot: the pages a task holds on this node when the scenario starts. {@code anonPages + filePages} of the zone's
     * boot-time non-free pages (lowest pfns first) become holdings of {@code mm} in zone {@code zoneIdx} (ignored when
     * the task holds none here) and count as its rss on this node.
     */
    void loadTaskPages(Mm mm, int zoneIdx, long anonPages, long filePages);

    /** Task exit ({@code do_exit}): frees the kernel (mm-less) blocks thread {@code pid} holds on this node. */
    void releaseKernelPages(int pid);

    /**
     * Mirrors {@code exit_mmap} for this node, when the last user of {@code mm} exits: every page the mm holds on this
     * node returns to the buddy lists and its rss here drops to 0.
     */
    void releaseMm(Mm mm);

    /**
     * Mirrors {@code __oom_reap_task_mm} for this node (modern oom_reaper): the mm's anonymous pages here go back to
     * the buddy lists and its {@code MM_ANONPAGES} here drops to 0; its file pages stay.
     */
    void reapMm(Mm mm);

    /** {@code MM_ANONPAGES} of {@code mm} on this node (badness, the kill line, the task dump and reports). */
    long anonPages(Mm mm);

    /** {@code MM_FILEPAGES} of {@code mm} on this node (badness, the kill line, the task dump and reports). */
    long filePages(Mm mm);

    /**
     * An image of this node's mutable state between events (no operation in progress): every zone slot, the rss and
     * holdings here of each of {@code mms} (the machine's mms, in its order) and the kernel holdings. Only the node's
     * owner can answer; the default, a node answered elsewhere (a remote node's proxy), refuses.
     */
    default NodeImage captureImage(List<Mm> mms) {
        throw new UnsupportedOperationException("node " + nodeId() + ": " + getClass().getSimpleName()
                + " cannot image the node's memory; only the process that owns the node can");
    }

    /**
     * Overwrites this node's mutable state with {@code image}, taken by {@link #captureImage} of the same node on a
     * machine booted from the same spec, with the same {@code mms}; throws when it does not fit. Only the node's owner
     * can; the default refuses.
     */
    default void restoreImage(NodeImage image, List<Mm> mms) {
        throw new UnsupportedOperationException("node " + nodeId() + ": " + getClass().getSimpleName()
                + " cannot restore the node's memory; only the process that owns the node can");
    }

    /** Builds the {@link NodeMemory} of each node when a machine is assembled. */
    @FunctionalInterface
    interface Factory {
        /** The memory of {@code node}; {@code local} is the in-process one over the node's own zones. */
        NodeMemory create(NumaNode node, NodeMemory local);

        /** Every node in-process: {@link LocalNodeMemory}. */
        static Factory local() {
            return (node, local) -> local;
        }
    }
}
