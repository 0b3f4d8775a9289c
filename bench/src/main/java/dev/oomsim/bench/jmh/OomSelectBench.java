package dev.oomsim.bench.jmh;

import java.util.concurrent.TimeUnit;

import dev.oomsim.bench.KernelMachines;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.oom.OomControl;
import dev.oomsim.kernel.oom.OomKiller;
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
 * One {@code out_of_memory} victim selection ({@code OomKiller.selectBadProcess}, seed profile) over a task table of
 * 10 000 processes: {@code oom_badness} of every task, the best one kept. Nothing is killed, so every call sees the
 * same table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OomSelectBench {

    static final int TASKS = 10_000;

    private OomKiller oomKiller;
    private OomControl control;
    private Task current;
    private long totalpages;

    @Setup
    public void setUp() {
        ScenarioRunner runner = KernelMachines.withTasks(TASKS);
        Machine machine = runner.machine();
        oomKiller = runner.oomKiller();
        current = machine.tasks().get(KernelMachines.BENCH_PID);
        control = new OomControl(machine.node(0).fallbackZonelist(), null, GfpFlags.GFP_KERNEL, 0, null);
        totalpages = oomKiller.constrainedAlloc(control, current).totalpages();
        if (oomKiller.selectBadProcess(control, totalpages, current, null).chosen() == null) {
            throw new IllegalStateException("no victim among " + TASKS + " tasks: the benchmark would measure nothing");
        }
    }

    @Benchmark
    public OomKiller.Selection selectBadProcess() {
        return oomKiller.selectBadProcess(control, totalpages, current, null);
    }
}
