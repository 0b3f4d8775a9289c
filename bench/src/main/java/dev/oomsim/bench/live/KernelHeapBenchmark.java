package dev.oomsim.bench.live;

import java.lang.ref.Reference;
import java.util.List;

import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchMode;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.KernelMachines;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.bench.agent.AgentHeapProbe;
import dev.oomsim.kernel.mm.Zone;
import dev.oomsim.kernel.scenario.ScenarioRunner;

/**
 * Java heap held by one 64 GiB node of the kernel model (one NORMAL zone): what a node agent pays in memory per
 * simulated node. Two states: just booted (all free in order-10 blocks), and the free lists' worst case, every other
 * page free so that no two free pages merge (8 Mi order-0 blocks on one list; the allocated pages are taken straight
 * from the zone, so no task's bookkeeping is counted). Measured as the heap in use after full collections, minus the
 * same before the node existed. No broker needed; reported for information. The fragmented state takes 16 Mi
 * allocations and 8 Mi frees (seconds of CPU), so {@code --quick} reports the booted state only.
 */
public final class KernelHeapBenchmark implements LiveBenchmark {

    @Override
    public String name() {
        return "kernel heap per 64 GiB node";
    }

    @Override
    public List<BenchRow> run(BenchContext context) {
        long before = AgentHeapProbe.settledHeapBytes();
        ScenarioRunner node = KernelMachines.oneZone(KernelMachines.PAGES_64_GIB);
        long booted = AgentHeapProbe.settledHeapBytes();
        Reference.reachabilityFence(node);
        BenchRow bootedRow = BenchRow.info("kernel model heap, one 64 GiB node booted (GC delta)",
                mib(booted - before), "MiB");
        if (context.settings().mode() == BenchMode.QUICK) {
            return List.of(bootedRow);
        }
        Zone zone = KernelMachines.normalZone(node.machine());
        fragmentCompletely(zone);
        long fragmented = AgentHeapProbe.settledHeapBytes();
        Reference.reachabilityFence(node);
        if (zone.freeArea(0).nrFree() < KernelMachines.PAGES_64_GIB / 2 - 1024) {
            throw new IllegalStateException("fragmenting left only " + zone.freeArea(0).nrFree() + " order-0 blocks");
        }
        return List.of(bootedRow,
                BenchRow.info("kernel model heap, same node, every other page free (GC delta)",
                        mib(fragmented - before), "MiB"));
    }

    /** Allocates every free page at order 0, then frees the even pfns: no free page has a free buddy. */
    private static void fragmentCompletely(Zone zone) {
        long[] taken = new long[(int) zone.freePages()];
        int n = 0;
        for (long pfn = zone.rmqueueSmallest(0); pfn >= 0; pfn = zone.rmqueueSmallest(0)) {
            taken[n++] = pfn;
        }
        for (int i = 0; i < n; i++) {
            if ((taken[i] & 1) == 0) {
                zone.freeOneBlock(taken[i], 0);
            }
        }
    }

    private static double mib(long bytes) {
        return Math.max(0, bytes) / (double) (1 << 20);
    }
}
