package dev.oomsim.bench.jmh;

import java.util.concurrent.TimeUnit;

import dev.oomsim.bench.KernelMachines;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.AllocRequest;
import dev.oomsim.kernel.mm.AllocResult;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.Page;
import dev.oomsim.kernel.mm.PageAllocator;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@code PageAllocator.allocPages} on its fast path (a 16 GiB zone far above its low watermark, GFP_KERNEL order 0),
 * charged to the task, then the page freed back through {@code Machine.freePages}: what the node agent does per
 * allocation request, without Kafka.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AllocPagesBench {

    private Machine machine;
    private PageAllocator allocator;
    private Task task;
    private AllocRequest request;

    @Setup
    public void setUp() {
        ScenarioRunner runner = KernelMachines.oneZone(KernelMachines.PAGES_16_GIB);
        machine = runner.machine();
        allocator = runner.allocator();
        task = machine.tasks().get(KernelMachines.BENCH_PID);
        request = new AllocRequest(KernelMachines.BENCH_PID, GfpFlags.GFP_KERNEL, 0, 0);
    }

    /** One fast-path allocation and its free. */
    @Benchmark
    public long allocPagesAndFree() {
        AllocResult result = allocator.allocPages(request);
        if (!(result instanceof AllocResult.Allocated allocated)) {
            throw new IllegalStateException("fast path failed on a free 16 GiB zone: " + result);
        }
        Page page = allocated.page();
        machine.freePages(task, page.nodeId(), page.pfn(), page.order());
        return page.pfn();
    }
}
