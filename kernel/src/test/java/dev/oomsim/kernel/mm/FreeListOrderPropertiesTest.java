package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The free lists keep the kernel's exact order: a zone's lists, and every pfn it hands out, equal those of a plain
 * model of {@code struct list_head} free lists (one {@link LinkedList} per order) running the same buddy algorithm
 * ({@code __rmqueue_smallest}, {@code expand}, {@code __free_one_page} with its tail rule), after every operation.
 * Layouts include bulk-loaded runs, explicit single blocks whose buddies are free at the same order (a boot-only
 * state) and zones that start off a {@code MAX_ORDER} boundary.
 */
class FreeListOrderPropertiesTest {

    /** The reference: one list per order, head first. */
    private static final class ModelZone {
        final List<LinkedList<Long>> lists = new ArrayList<>();

        ModelZone(List<ZoneLayout.Region> regions) {
            for (int o = 0; o < Zone.MAX_ORDER; o++) {
                lists.add(new LinkedList<>());
            }
            for (ZoneLayout.Region r : regions) {
                int order = Long.numberOfTrailingZeros(r.size());
                for (long i = 0; i < r.count(); i++) {
                    lists.get(order).addLast(r.start() + i * r.stride());
                }
            }
        }

        long rmqueueSmallest(int order) {
            for (int current = order; current < Zone.MAX_ORDER; current++) {
                if (lists.get(current).isEmpty()) {
                    continue;
                }
                long pfn = lists.get(current).removeFirst();
                long size = 1L << current;
                for (int high = current; high > order; ) {
                    high--;
                    size >>= 1;
                    lists.get(high).addFirst(pfn + size);
                }
                return pfn;
            }
            return -1;
        }

        void freeOneBlock(long pfn, int order) {
            while (order < Zone.MAX_ORDER - 1) {
                long buddy = pfn ^ (1L << order);
                if (!lists.get(order).remove((Long) buddy)) {
                    break;
                }
                pfn &= buddy;
                order++;
            }
            if (order < Zone.MAX_ORDER - 2) {
                long higherBuddy = (pfn & ~(1L << order)) ^ (1L << (order + 1));
                if (lists.get(order + 1).contains(higherBuddy)) {
                    lists.get(order).addLast(pfn);
                    return;
                }
            }
            lists.get(order).addFirst(pfn);
        }

        List<String> blocks() {
            List<String> out = new ArrayList<>();
            for (int o = 0; o < Zone.MAX_ORDER; o++) {
                for (long pfn : lists.get(o)) {
                    out.add(pfn + "@" + o);
                }
            }
            return out;
        }
    }

    static List<String> blocks(Zone z) {
        List<String> out = new ArrayList<>();
        for (long[] b : z.freeBlocks()) {
            out.add(b[0] + "@" + b[1]);
        }
        return out;
    }

    /** Explicit single blocks over {@code [start, end)}: random orders and gaps, free buddies side by side allowed. */
    static List<ZoneLayout.Region> explicitBlocks(long start, long end, SplittableRandom random) {
        List<ZoneLayout.Region> out = new ArrayList<>();
        long pfn = start;
        while (pfn < end) {
            int order = random.nextInt(4) == 0 ? random.nextInt(Zone.MAX_ORDER) : random.nextInt(3);
            long size = 1L << order;
            long aligned = (pfn + size - 1) & -size;
            if (aligned + size > end) {
                pfn++;
                continue;
            }
            if (random.nextInt(3) > 0) {
                out.add(new ZoneLayout.Region(aligned, size, 1, size));
            }
            pfn = aligned + size + (random.nextBoolean() ? 0 : random.nextInt(3));
        }
        // boot order is the scenario's listing order, not pfn order
        for (int i = out.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            ZoneLayout.Region t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }

    static List<ZoneLayout.Region> plannedBlocks(long start, long end, SplittableRandom random) {
        long[] counts = new long[Zone.MAX_ORDER];
        for (int o = 0; o < Zone.MAX_ORDER; o++) {
            counts[o] = random.nextInt(4) == 0 ? 0 : random.nextInt(1 + (int) Math.min(40, ((end - start) >> o) / 8));
        }
        while (true) {
            try {
                return ZoneLayout.plan(start, end, counts);
            } catch (IllegalArgumentException doesNotFit) {
                for (int o = 0; o < Zone.MAX_ORDER; o++) {
                    counts[o] /= 2;
                }
            }
        }
    }

    @Property(tries = 8, seed = "20260412")
    void runsSplitByMergesPastTheirLimitKeepTheirOrder(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
            @ForAll @IntRange(min = 0, max = 2) int order) {
        // one run of blocks with a non-free gap after each; freeing the gaps in random order merges blocks out of
        // the run's middle, splitting it past FreeArea.MAX_RUNS, while allocations keep taking from the lists
        SplittableRandom random = new SplittableRandom(seed);
        long size = 1L << order;
        int blocks = 6 * FreeArea.MAX_RUNS;
        long start = 4096;
        long managed = 2 * size * blocks;
        long[] counts = new long[Zone.MAX_ORDER];
        counts[order] = blocks;
        List<ZoneLayout.Region> regions = ZoneLayout.plan(start, start + managed, counts);
        Zone zone = new Zone(0, ZoneType.NORMAL, 2, 4, start, managed, regions);
        ModelZone model = new ModelZone(regions);
        List<Long> gaps = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            gaps.add(start + 2 * size * i + size);
        }
        java.util.Collections.shuffle(gaps, new java.util.Random(seed));
        List<long[]> held = new ArrayList<>();
        for (int step = 0; step < gaps.size(); step++) {
            long gap = gaps.get(step);
            zone.freeOneBlock(gap, order);
            model.freeOneBlock(gap, order);
            if (random.nextInt(4) == 0) {
                int o = random.nextInt(order + 2);
                long pfn = zone.rmqueueSmallest(o);
                assertThat(pfn).as("step %d", step).isEqualTo(model.rmqueueSmallest(o));
                if (pfn >= 0) {
                    held.add(new long[] {pfn, o});
                }
            }
            if (step % 97 == 0 || step == gaps.size() - 1) {
                assertThat(blocks(zone)).as("step %d", step).isEqualTo(model.blocks());
            }
        }
        for (long[] h : held) {
            zone.freeOneBlock(h[0], (int) h[1]);
            model.freeOneBlock(h[0], (int) h[1]);
        }
        assertThat(blocks(zone)).isEqualTo(model.blocks());
    }

    @Property(tries = 300, seed = "20260412")
    void listsAndHandedOutPagesMatchPlainKernelLists(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
            @ForAll @IntRange(min = 0, max = 2) int layoutKind) {
        SplittableRandom random = new SplittableRandom(seed);
        long start = 2048 + (layoutKind == 2 ? 1 + random.nextInt(1023) : 0);
        long managed = 1024 + random.nextInt(6 * 1024);
        long end = start + managed;
        List<ZoneLayout.Region> regions = layoutKind == 0 ? plannedBlocks(start, end, random)
                : explicitBlocks(start, end, random);
        Zone zone = new Zone(0, ZoneType.NORMAL, 2, 4, start, managed, regions);
        ModelZone model = new ModelZone(regions);
        assertThat(blocks(zone)).isEqualTo(model.blocks());
        TreeMap<Long, Integer> held = new TreeMap<>();
        List<Long> heldOrder = new ArrayList<>();
        for (int step = 0; step < 400; step++) {
            boolean allocate = held.isEmpty() || random.nextInt(100) < 55;
            if (allocate) {
                int order = random.nextInt(5) == 0 ? random.nextInt(Zone.MAX_ORDER) : random.nextInt(3);
                long pfn = zone.rmqueueSmallest(order);
                assertThat(pfn).as("step %d: alloc order %d", step, order).isEqualTo(model.rmqueueSmallest(order));
                if (pfn >= 0) {
                    held.put(pfn, order);
                    heldOrder.add(pfn);
                }
            } else {
                int i = random.nextInt(heldOrder.size());
                long pfn = heldOrder.remove(i);
                int order = held.remove(pfn);
                zone.freeOneBlock(pfn, order);
                model.freeOneBlock(pfn, order);
            }
            assertThat(blocks(zone)).as("step %d", step).isEqualTo(model.blocks());
        }
        for (long pfn : heldOrder) {
            int order = held.get(pfn);
            zone.freeOneBlock(pfn, order);
            model.freeOneBlock(pfn, order);
        }
        assertThat(blocks(zone)).isEqualTo(model.blocks());
        for (int o = 0; o < Zone.MAX_ORDER; o++) {
            assertThat(zone.freeArea(o).nrFree()).isEqualTo(model.lists.get(o).size());
        }
    }
}
