package dev.oomsim.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.oomsim.bench.KernelMachines;
import dev.oomsim.kernel.mm.Zone;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The buddy allocator's core on a 16 GiB zone: {@code __rmqueue_smallest} + {@code expand} to allocate and
 * {@code __free_one_page} to free. One operation frees the oldest of {@value #OUTSTANDING} outstanding blocks and
 * allocates a new one, so the free lists hold a steady, fragmented mix (splits and merges both happen) rather than
 * one block bouncing between two lists.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BuddyBench {

    static final int OUTSTANDING = 1 << 16;

    /** Highest order allocated: 0 for order-0 pairs, 3 for the order 0–3 mix. */
    @Param({"0", "3"})
    public int maxOrder;

    private Zone zone;
    private final long[] pfns = new long[OUTSTANDING];
    private final int[] orders = new int[OUTSTANDING];
    private final int[] nextOrders = new int[OUTSTANDING];
    private int cursor;

    @Setup(Level.Trial)
    public void setUp() {
        zone = KernelMachines.normalZone(KernelMachines.oneZone(KernelMachines.PAGES_16_GIB).machine());
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < OUTSTANDING; i++) {
            nextOrders[i] = maxOrder == 0 ? 0 : random.nextInt(maxOrder + 1);
            orders[i] = nextOrders[i];
            pfns[i] = allocate(orders[i]);
        }
    }

    /** One allocate + free pair. */
    @Benchmark
    public long allocFreePair() {
        int i = cursor;
        cursor = (i + 1) & (OUTSTANDING - 1);
        zone.freeOneBlock(pfns[i], orders[i]);
        int order = nextOrders[i];
        long pfn = allocate(order);
        pfns[i] = pfn;
        orders[i] = order;
        return pfn;
    }

    private long allocate(int order) {
        long pfn = zone.rmqueueSmallest(order);
        if (pfn < 0) {
            throw new IllegalStateException("16 GiB zone ran out of order-" + order + " blocks");
        }
        return pfn;
    }
}
