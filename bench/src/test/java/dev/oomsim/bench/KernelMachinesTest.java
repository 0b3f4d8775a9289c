package dev.oomsim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.AllocRequest;
import dev.oomsim.kernel.mm.AllocResult;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.Zone;
import dev.oomsim.kernel.oom.OomControl;
import dev.oomsim.kernel.oom.OomKiller;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import org.junit.jupiter.api.Test;

/** The machines the kernel benchmarks run on boot as described, so a benchmark never measures an error path. */
class KernelMachinesTest {

    @Test
    void sixteenGibZoneIsFreeButTheBenchTasksBlockAndServesTheFastPath() {
        ScenarioRunner runner = KernelMachines.oneZone(KernelMachines.PAGES_16_GIB);
        Machine machine = runner.machine();
        Zone zone = KernelMachines.normalZone(machine);

        assertThat(zone.managedPages()).isEqualTo(4_194_304L);
        assertThat(zone.freePages()).isEqualTo(4_194_304L - 1024);
        AllocResult r = runner.allocator()
                .allocPages(new AllocRequest(KernelMachines.BENCH_PID, GfpFlags.GFP_KERNEL, 0, 0));
        assertThat(r).isInstanceOf(AllocResult.Allocated.class);
        assertThat(((AllocResult.Allocated) r).trace().path()).contains("fastpath:ok");
    }

    @Test
    void taskTableHasEveryTaskAndAVictim() {
        ScenarioRunner runner = KernelMachines.withTasks(200);
        Machine machine = runner.machine();
        OomKiller killer = runner.oomKiller();
        var current = machine.tasks().get(KernelMachines.BENCH_PID);
        OomControl oc = new OomControl(machine.node(0).fallbackZonelist(), null, GfpFlags.GFP_KERNEL, 0, null);

        var selection = killer.selectBadProcess(oc, killer.constrainedAlloc(oc, current).totalpages(), current, null);

        assertThat(machine.tasks().live()).hasSize(201);
        assertThat(selection.chosen()).isNotNull();
        assertThat(selection.aborted()).isFalse();
    }
}
