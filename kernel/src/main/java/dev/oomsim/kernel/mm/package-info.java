/**
 * The page allocator of mm/page_alloc.c: GFP flags, zones and their buddy free areas, nodes and zonelists, boot
 * watermarks and reserves, the fast and slow allocation paths and {@code __alloc_pages_may_oom}, with pluggable
 * reclaim and compaction models.
 */
package dev.oomsim.kernel.mm;
