package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/** Seeded property tests of the buddy allocator: conservation, no overlap, and merge-back. */
class BuddyPropertiesTest {

    /** An operation: allocate order {@code o} (code 0..10) or free the k-th held block (code 11 + k). */
    @Provide
    Arbitrary<List<Tuple2<Boolean, Integer>>> operations() {
        Arbitrary<Tuple2<Boolean, Integer>> op = Arbitraries.integers().between(0, 1).flatMap(kind -> kind == 0
                ? Arbitraries.integers().between(0, 5).map(o -> Tuple.of(true, o))
                : Arbitraries.integers().between(0, 1000).map(k -> Tuple.of(false, k)));
        return op.list().ofMinSize(1).ofMaxSize(300);
    }

    @Provide
    Arbitrary<long[]> layouts() {
        return Arbitraries.longs().between(0, 6).array(long[].class).ofSize(Zone.MAX_ORDER);
    }

    private static Zone zone(long[] counts) {
        long start = 3 * 1024;
        return new Zone(0, ZoneType.NORMAL, 2, 4, start, 40 * 1024, ZoneLayout.plan(start, start + 40 * 1024, counts));
    }

    private static Set<String> blockSet(Zone z) {
        Set<String> out = new HashSet<>();
        for (long[] b : z.freeBlocks()) {
            out.add(b[0] + "@" + b[1]);
        }
        return out;
    }

    private static void assertConsistent(Zone z, TreeMap<Long, Integer> held) {
        long sum = 0;
        long[] nr = z.nrFree();
        for (int o = 0; o < Zone.MAX_ORDER; o++) {
            sum += nr[o] << o;
        }
        assertThat(z.freePages()).isEqualTo(sum);
        TreeMap<Long, Long> ranges = new TreeMap<>();
        for (long[] b : z.freeBlocks()) {
            assertThat(z.freeArea((int) b[1]).isFreeHead(b[0])).isTrue();
            assertThat(ranges.put(b[0], b[0] + (1L << b[1]))).isNull();
        }
        held.forEach((pfn, order) -> assertThat(ranges.put(pfn, pfn + (1L << order))).isNull());
        long end = -1;
        for (var e : ranges.entrySet()) {
            assertThat(e.getKey()).isGreaterThanOrEqualTo(end);
            assertThat(e.getKey()).isGreaterThanOrEqualTo(z.startPfn());
            assertThat(e.getValue()).isLessThanOrEqualTo(z.endPfn());
            end = e.getValue();
        }
    }

    @Property(tries = 200, seed = "20261125")
    void randomAllocFreeSequencesConservePagesAndNeverOverlap(@ForAll("layouts") long[] counts,
            @ForAll("operations") List<Tuple2<Boolean, Integer>> ops) {
        Zone z = zone(counts);
        long initialFree = z.freePages();
        TreeMap<Long, Integer> held = new TreeMap<>();
        for (Tuple2<Boolean, Integer> op : ops) {
            if (op.get1()) {
                long pfn = z.rmqueueSmallest(op.get2());
                if (pfn >= 0) {
                    assertThat(pfn % (1L << op.get2())).isZero();
                    assertThat(held.put(pfn, op.get2())).isNull();
                }
            } else if (!held.isEmpty()) {
                List<Long> keys = new ArrayList<>(held.keySet());
                long pfn = keys.get(op.get2() % keys.size());
                z.freeOneBlock(pfn, held.remove(pfn));
            }
            long heldPages = held.entrySet().stream().mapToLong(e -> 1L << e.getValue()).sum();
            assertThat(z.freePages() + heldPages).isEqualTo(initialFree);
            assertConsistent(z, held);
        }
    }

    @Property(tries = 200, seed = "20261125")
    void freeingEverythingMergesBackToTheOriginalFreeLists(@ForAll("layouts") long[] counts,
            @ForAll("operations") List<Tuple2<Boolean, Integer>> ops) {
        Zone z = zone(counts);
        Set<String> original = blockSet(z);
        long[] originalNr = z.nrFree();
        TreeMap<Long, Integer> held = new TreeMap<>();
        for (Tuple2<Boolean, Integer> op : ops) {
            if (op.get1()) {
                long pfn = z.rmqueueSmallest(op.get2());
                if (pfn >= 0) {
                    held.put(pfn, op.get2());
                }
            } else if (!held.isEmpty()) {
                List<Long> keys = new ArrayList<>(held.keySet());
                long pfn = keys.get(op.get2() % keys.size());
                z.freeOneBlock(pfn, held.remove(pfn));
            }
        }
        for (var e : new ArrayList<>(held.entrySet())) {
            z.freeOneBlock(e.getKey(), e.getValue());
        }
        assertThat(blockSet(z)).isEqualTo(original);
        assertThat(z.nrFree()).containsExactly(originalNr);
    }
}
