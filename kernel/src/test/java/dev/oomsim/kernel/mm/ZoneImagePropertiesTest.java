package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import dev.oomsim.kernel.image.FreeListImage;
import dev.oomsim.kernel.image.ZoneImage;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * A zone restored from an image behaves as the zone it was taken of: after random allocations, frees, reclaim of
 * reserved pages and highatomic changes, the image restored into a freshly booted zone of the same layout gives the
 * same lists in the same order, and the same random continuation then hands out the same pfns and leaves the same
 * lists, whatever representation (deferred head, chains, runs, split runs, the map of side-by-side order-0 buddies)
 * each list had. Layouts are those of {@link FreeListOrderPropertiesTest}.
 */
class ZoneImagePropertiesTest {
    private static final long START = 2048;

    /** A zone and the blocks handed out of it, in the order they were handed out. */
    private static final class Driven {
        final Zone zone;
        final List<long[]> held = new ArrayList<>();

        Driven(Zone zone) {
            this.zone = zone;
        }

        /**
         * One random operation (with {@code reclaim}, possibly a reclaim of reserved pages or a highatomic change);
         * returns what it handed out or freed, for comparison.
         */
        String step(SplittableRandom random, boolean reclaim) {
            int op = random.nextInt(reclaim ? 100 : 85);
            if (op < 50 || held.isEmpty()) {
                int order = random.nextInt(5) == 0 ? random.nextInt(Zone.MAX_ORDER) : random.nextInt(3);
                long pfn = zone.rmqueueSmallest(order);
                if (pfn >= 0) {
                    held.add(new long[] {pfn, order});
                }
                return "alloc " + order + " -> " + pfn;
            }
            if (op < 85) {
                long[] b = held.remove(random.nextInt(held.size()));
                zone.freeOneBlock(b[0], (int) b[1]);
                return "free " + b[0] + "@" + b[1];
            }
            if (op < 95) {
                return "reclaim -> " + zone.reclaimReserved(random.nextInt(40));
            }
            zone.setReservedHighatomicPages(random.nextInt(3) * PageAllocator.PAGEBLOCK_NR_PAGES);
            return "highatomic";
        }
    }

    private static Zone boot(long start, long managed, List<ZoneLayout.Region> regions, long loadPages) {
        Zone z = new Zone(0, ZoneType.NORMAL, 2, 4, start, managed, regions);
        z.claimLoadPages(loadPages);
        return z;
    }

    @Property(tries = 200, seed = "20260601")
    void aRestoredZoneListsAndHandsOutExactlyWhatTheOriginalDoes(
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
            @ForAll @IntRange(min = 0, max = 2) int layoutKind, @ForAll @IntRange(min = 0, max = 600) int before) {
        SplittableRandom random = new SplittableRandom(seed);
        long start = START + (layoutKind == 2 ? 1 + random.nextInt(1023) : 0);
        long managed = 1024 + random.nextInt(6 * 1024);
        List<ZoneLayout.Region> regions = layoutKind == 0
                ? FreeListOrderPropertiesTest.plannedBlocks(start, start + managed, random)
                : FreeListOrderPropertiesTest.explicitBlocks(start, start + managed, random);
        long nonFree = managed - new Zone(0, ZoneType.NORMAL, 2, 4, start, managed, regions).freePages();
        long loadPages = random.nextLong(nonFree + 1);
        Driven original = new Driven(boot(start, managed, regions, loadPages));
        for (int i = 0; i < before; i++) {
            original.step(random, true);
        }

        ZoneImage image = original.zone.captureImage();
        Driven restored = new Driven(boot(start, managed, regions, loadPages));
        restored.zone.requireFits(image);
        restored.zone.restoreImage(image);
        restored.held.addAll(original.held);

        assertThat(restored.zone.captureImage()).isEqualTo(image);
        assertThat(FreeListOrderPropertiesTest.blocks(restored.zone))
                .isEqualTo(FreeListOrderPropertiesTest.blocks(original.zone));
        long continuation = random.nextLong();
        SplittableRandom a = new SplittableRandom(continuation);
        SplittableRandom b = new SplittableRandom(continuation);
        for (int i = 0; i < 400; i++) {
            assertThat(restored.step(b, true)).as("step %d after restore", i).isEqualTo(original.step(a, true));
            if (i % 20 == 0) {
                assertThat(FreeListOrderPropertiesTest.blocks(restored.zone)).as("step %d", i)
                        .isEqualTo(FreeListOrderPropertiesTest.blocks(original.zone));
            }
        }
        for (int i = original.held.size() - 1; i >= 0; i--) {
            original.zone.freeOneBlock(original.held.get(i)[0], (int) original.held.get(i)[1]);
            restored.zone.freeOneBlock(restored.held.get(i)[0], (int) restored.held.get(i)[1]);
        }
        assertThat(restored.zone.captureImage()).isEqualTo(original.zone.captureImage());
        assertThat(restored.zone.freePages()).isEqualTo(original.zone.freePages());
    }

    @Property(tries = 4, seed = "20260601")
    void aRestoredRunSplitPastItsLimitKeepsItsOrder(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
            @ForAll @IntRange(min = 0, max = 2) int order) {
        // one run of blocks with a non-free gap after each: freeing the gaps merges blocks out of the run's middle;
        // the image's ascending stretch comes back as a run, which the frees after the restore split past
        // FreeArea.MAX_RUNS, while allocations keep taking from the lists
        long size = 1L << order;
        int blocks = 3 * FreeArea.MAX_RUNS;
        long managed = 2 * size * blocks;
        long[] counts = new long[Zone.MAX_ORDER];
        counts[order] = blocks;
        List<ZoneLayout.Region> regions = ZoneLayout.plan(START, START + managed, counts);
        List<Long> gaps = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            gaps.add(START + 2 * size * i + size);
        }
        Collections.shuffle(gaps, new Random(seed));
        SplittableRandom random = new SplittableRandom(seed);
        Driven original = new Driven(boot(START, managed, regions, 0));
        int step = 0;
        for (; step < gaps.size() / 4; step++) {
            original.zone.freeOneBlock(gaps.get(step), order);
            if (random.nextInt(4) == 0) {
                original.step(random, false);
            }
        }
        ZoneImage image = original.zone.captureImage();
        Driven restored = new Driven(boot(START, managed, regions, 0));
        restored.zone.requireFits(image);
        restored.zone.restoreImage(image);
        restored.held.addAll(original.held);
        for (; step < gaps.size(); step++) {
            original.zone.freeOneBlock(gaps.get(step), order);
            restored.zone.freeOneBlock(gaps.get(step), order);
            if (random.nextInt(4) == 0) {
                long s = random.nextLong();
                assertThat(restored.step(new SplittableRandom(s), false)).as("step %d", step)
                        .isEqualTo(original.step(new SplittableRandom(s), false));
            }
            if (step % 97 == 0) {
                assertThat(FreeListOrderPropertiesTest.blocks(restored.zone)).as("step %d", step)
                        .isEqualTo(FreeListOrderPropertiesTest.blocks(original.zone));
            }
        }
        assertThat(restored.zone.captureImage()).isEqualTo(original.zone.captureImage());
    }

    @Test
    void anImageOfAnotherZoneOrWithOverlappingBlocksDoesNotFit() {
        long[] counts = new long[Zone.MAX_ORDER];
        counts[0] = 4;
        counts[3] = 2;
        List<ZoneLayout.Region> regions = ZoneLayout.plan(START, START + 4096, counts);
        Zone zone = boot(START, 4096, regions, 0);
        ZoneImage image = zone.captureImage();
        Zone larger = boot(START, 8192, regions, 0);
        assertThatThrownBy(() -> larger.requireFits(image)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spanning [2048, 6144)").hasMessageContaining("spanning [2048, 10240)");

        List<FreeListImage> lists = new ArrayList<>(image.freeLists());
        long order3 = image.freeList(3).pfn(0);
        lists.set(0, new FreeListImage(0, new long[] {order3 + 1}));
        ZoneImage overlapping = new ZoneImage(image.zoneIdx(), image.type(), image.startPfn(), image.managedPages(),
                image.freePages() - 3, lists, image.watermarks(), image.lowmemReserve(),
                image.reservedHighatomicPages(), image.reclaimablePages(), image.loadRankCursor(),
                image.reservedRankFrom());
        assertThatThrownBy(() -> zone.requireFits(overlapping)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("free block at pfn " + order3 + " order 3 overlaps the one at pfn "
                        + (order3 + 1) + " order 0");
    }
}
