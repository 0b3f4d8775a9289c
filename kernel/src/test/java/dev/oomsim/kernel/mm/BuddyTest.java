package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class BuddyTest {

    private static Zone zone(long start, long managed, List<long[]> blocks) {
        List<ZoneLayout.Region> regions = new ArrayList<>();
        for (long[] b : blocks) {
            regions.add(new ZoneLayout.Region(b[0], 1L << b[1], 1, 1L << b[1]));
        }
        return new Zone(0, ZoneType.NORMAL, 2, 4, start, managed, regions);
    }

    private static List<String> lists(Zone z) {
        List<String> out = new ArrayList<>();
        for (long[] b : z.freeBlocks()) {
            out.add(b[0] + "@" + b[1]);
        }
        return out;
    }

    @Test
    void splittingAnOrder3BlockHandsOutTheLowerPageAndQueuesTheUpperHalves() {
        Zone z = zone(0, 64, List.of(new long[] {8, 3}));
        assertThat(z.rmqueueSmallest(0)).isEqualTo(8);
        assertThat(lists(z)).containsExactly("9@0", "10@1", "12@2");
        assertThat(z.freePages()).isEqualTo(7);
        assertThat(z.nrFree()).startsWith(1, 1, 1, 0);
    }

    @Test
    void freeingMergesWithBuddiesBackToTheOriginalBlock() {
        Zone z = zone(0, 64, List.of(new long[] {8, 3}));
        long pfn = z.rmqueueSmallest(0);
        z.freeOneBlock(pfn, 0);
        assertThat(lists(z)).containsExactly("8@3");
        assertThat(z.freePages()).isEqualTo(8);
    }

    @Test
    void mergingStopsAtAFreeBuddyOfAnotherOrder() {
        // 0 is free at order 0; 2..3 free at order 1; freeing 1 merges with 0 into 0@1, then with 2@1 into 0@2
        Zone z = zone(0, 64, List.of(new long[] {0, 0}, new long[] {2, 1}));
        z.freeOneBlock(1, 0);
        assertThat(lists(z)).containsExactly("0@2");
        Zone y = zone(0, 64, List.of(new long[] {0, 1}));
        y.freeOneBlock(3, 0);
        assertThat(lists(y)).containsExactly("3@0", "0@1");
    }

    @Test
    void aBlockWhoseNextOrderBuddyIsFreeGoesToTheTail() {
        // free: 4@2 (the buddy of 0@2 one order up is 4@2). Freeing 0@1 (buddy 2@1 not free): combined 0, higher
        // buddy 4 at order 2 is free -> tail. Freeing 16@1 afterwards (higher buddy 20@2 not free) -> head.
        Zone z = zone(0, 64, List.of(new long[] {4, 2}, new long[] {10, 1}));
        z.freeOneBlock(0, 1);
        z.freeOneBlock(16, 1);
        assertThat(lists(z)).containsExactly("16@1", "10@1", "0@1", "4@2");
        assertThat(z.rmqueueSmallest(1)).isEqualTo(16);
    }

    @Test
    void zoneBoundariesStopMerges() {
        // zone [8, 16): freeing 8@3 cannot merge with 0@3, which lies outside
        Zone z = zone(8, 8, List.of());
        z.freeOneBlock(8, 3);
        assertThat(lists(z)).containsExactly("8@3");
    }

    @Test
    void bulkLoadedRunsSplitWhenAMemberMerges() {
        // order-0 blocks at 0,2,4,6 (a run); freeing 5 merges 4 and 5 into 4@1: the run splits around 4
        Zone z = new Zone(0, ZoneType.NORMAL, 2, 4, 0, 16, ZoneLayout.plan(0, 16, new long[] {4, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0}));
        assertThat(lists(z)).containsExactly("0@0", "2@0", "4@0", "6@0");
        z.freeOneBlock(5, 0);
        assertThat(lists(z)).containsExactly("0@0", "2@0", "6@0", "4@1");
        assertThat(z.rmqueueSmallest(0)).isEqualTo(0);
        assertThat(z.rmqueueSmallest(0)).isEqualTo(2);
    }
}
