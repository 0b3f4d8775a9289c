package dev.oomsim.bench.live;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;

import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.KernelMachines;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.kernel.scenario.ScenarioRunner;

/**
 * Java heap held by one booted 64 GiB node of the kernel model (one NORMAL zone, all free in order-10 blocks): what
 * a node agent pays in memory per simulated node. Measured as the heap in use after full collections with the machine
 * reachable, minus the same without it. No broker needed; reported for information.
 */
public final class KernelHeapBenchmark implements LiveBenchmark {

    @Override
    public String name() {
        return "kernel heap per 64 GiB node";
    }

    @Override
    public List<BenchRow> run(BenchContext context) {
        long before = settledHeapBytes();
        ScenarioRunner node = KernelMachines.oneZone(KernelMachines.PAGES_64_GIB);
        long after = settledHeapBytes();
        if (node.machine().nodes().isEmpty()) {
            throw new IllegalStateException("the 64 GiB machine has no node");
        }
        double mib = Math.max(0, after - before) / (double) (1 << 20);
        return List.of(BenchRow.info("kernel model heap, one 64 GiB node booted (GC delta)", mib, "MiB"));
    }

    private static long settledHeapBytes() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
