/**
 * The page allocator of mm/page_alloc.c: GFP flags, zones and their buddy free areas, nodes and zonelists, boot
 * watermarks and reserves, the fast and slow allocation paths and {@code __alloc_pages_may_oom}, with pluggable
 * reclaim and compaction models. The allocator, the models, the machine and the OOM killer reach a node's zones only
 * through that node's {@link dev.oomsim.kernel.mm.NodeMemory} ({@link dev.oomsim.kernel.mm.LocalNodeMemory} in
 * process), so a node agent can answer for other nodes.
 */
package dev.oomsim.kernel.mm;
