package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import dev.oomsim.kernel.task.Task;
import org.junit.jupiter.api.Test;

/** The zonelist walk can be cut at any position and resumed (a walk handed from one node's agent to the next). */
class ResumableWalkTest {

    private static final String MACHINE = """
            sysctl: {min_free_kbytes: 1024}
            nodes:
              - {id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}
              - {id: 1, zones: [{type: DMA32, managed_pages: 4096, free_pages: 8},
                                {type: NORMAL, managed_pages: 4096, free: {10: 1}}]}
            tasks:
              - {pid: 10, comm: t}
            """;

    @Test
    void walkingZoneByZoneFindsWhatTheWholeWalkFinds() {
        ScenarioRunner whole = Yaml.boot(MACHINE);
        ScenarioRunner stepped = Yaml.boot(MACHINE);
        Task t = whole.machine().tasks().get(10);
        Task t2 = stepped.machine().tasks().get(10);
        AllocRequest req = new AllocRequest(10, GfpFlags.GFP_KERNEL, 0, 0);
        AllocContext ac = whole.allocator().prepareContext(req, req.gfp(), t);
        AllocContext ac2 = stepped.allocator().prepareContext(req, req.gfp(), t2);
        int flags = AllocFlags.ALLOC_WMARK_LOW | AllocFlags.ALLOC_CPUSET;
        Page expected = whole.allocator().getPageFromFreelist(req.gfp(), 0, flags, ac, t);

        Page found = null;
        int position = 0;
        while (found == null && position < ac2.zonelist().size()) {
            ZoneRef ref = ac2.zonelist().get(position);
            found = stepped.allocator().zoneStep(ref, req.gfp(), 0, flags, ac2.classzoneIdx(), t2);
            position++;
        }
        assertThat(expected).isEqualTo(new Page(1, ZoneType.NORMAL, 8192, 0));
        assertThat(found).isEqualTo(expected);
        ScenarioRunner third = Yaml.boot(MACHINE);
        Task t3 = third.machine().tasks().get(10);
        AllocContext ac3 = third.allocator().prepareContext(req, req.gfp(), t3);
        PageAllocator.WalkResult resumed = third.allocator().getPageFromFreelist(req.gfp(), 0, flags, ac3, t3, 1);
        assertThat(resumed.page()).isEqualTo(new Page(1, ZoneType.NORMAL, 8192, 0));
        assertThat(resumed.position()).isEqualTo(2);
    }
}
