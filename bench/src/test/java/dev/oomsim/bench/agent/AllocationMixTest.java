package dev.oomsim.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.NodeCommand;
import org.junit.jupiter.api.Test;

class AllocationMixTest {

    private static final Scenario ONE_NODE = AgentMachines.parse(AgentMachines.throughput(1));

    @Test
    void everyFreeReleasesABlockItsTaskHoldsAndTheHeldCountStaysInTheBand() {
        AllocationMix.Mix mix = AllocationMix.generate(ONE_NODE, 0, new AllocationMix.Plan(5_000, 200, 240, 7), "t-");

        assertThat(mix.size()).isEqualTo(5_000);
        Map<Long, AllocRequest> held = new HashMap<>();
        int maxHeld = 0;
        int minHeldAfterFill = Integer.MAX_VALUE;
        int frees = 0;
        for (int i = 0; i < mix.size(); i++) {
            AllocRequest r = (AllocRequest) mix.commands().get(i).getBody();
            assertThat(r.getSequence()).isEqualTo(i);
            assertThat(r.getPreferredNode()).isZero();
            if (r.getOp() == AllocOp.ALLOC) {
                assertThat(r.getGfpMask()).isEqualTo(AllocationMix.GFP_KERNEL);
                assertThat(r.getOrder()).isBetween(0, 3);
                long pfn = mix.expectedPfn()[i];
                assertThat(pfn % (1L << r.getOrder())).as("a block starts at a multiple of its size").isZero();
                assertThat(held.put(pfn, r)).as("pfn %d handed out twice while held", pfn).isNull();
            } else {
                assertThat(r.getOp()).isEqualTo(AllocOp.FREE);
                assertThat(mix.expectedPfn()[i]).isEqualTo(-1);
                AllocRequest owner = held.remove(r.getPfn());
                assertThat(owner).as("free of pfn %d, which nobody holds", r.getPfn()).isNotNull();
                assertThat(r.getPid()).isEqualTo(owner.getPid());
                assertThat(r.getOrder()).isEqualTo(owner.getOrder());
                frees++;
            }
            maxHeld = Math.max(maxHeld, held.size());
            if (i >= 200) {
                minHeldAfterFill = Math.min(minHeldAfterFill, held.size());
            }
        }
        assertThat(maxHeld).isEqualTo(240);
        assertThat(minHeldAfterFill).isEqualTo(200);
        assertThat(held).hasSize(mix.heldAtEnd());
        assertThat(mix.allocs()).isEqualTo(mix.size() - frees);
        // Allocations outnumber frees by what is held at the end, 200 to 240.
        assertThat(frees).isEqualTo((5_000 - mix.heldAtEnd()) / 2).isBetween(2_380, 2_400);
    }

    @Test
    void ordersAreMostlyZeroWithSomeOneToThree() {
        AllocationMix.Mix mix = AllocationMix.generate(ONE_NODE, 0, new AllocationMix.Plan(4_000, 1_000, 2_000, 1),
                "t-");
        Map<Integer, Integer> byOrder = new HashMap<>();
        mix.commands().stream().map(c -> (AllocRequest) c.getBody()).filter(r -> r.getOp() == AllocOp.ALLOC)
                .forEach(r -> byOrder.merge(r.getOrder(), 1, Integer::sum));
        double allocs = mix.allocs();
        assertThat(byOrder.get(0) / allocs).isBetween(0.80, 0.90);
        assertThat(byOrder.keySet()).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void sameSeedSameStreamAndIdsAreUnique() {
        AllocationMix.Plan plan = new AllocationMix.Plan(1_000, 50, 100, 42);
        AllocationMix.Mix a = AllocationMix.generate(ONE_NODE, 0, plan, "x-");
        AllocationMix.Mix b = AllocationMix.generate(ONE_NODE, 0, plan, "x-");
        assertThat(a.commands()).isEqualTo(b.commands());
        assertThat(a.expectedPfn()).isEqualTo(b.expectedPfn());
        Set<String> ids = new HashSet<>();
        a.commands().forEach(c -> assertThat(ids.add(c.getCommandId())).isTrue());
        assertThat(a.commands()).allSatisfy(c -> {
            assertThat(c.getOrigin()).isEqualTo(-1);
            assertThat(((AllocRequest) c.getBody()).getRequestId()).isEqualTo(c.getCommandId());
        });
    }

    @Test
    void eachNodeOfAMultiNodeMachineGetsItsOwnTasksAndPages() {
        Scenario four = AgentMachines.parse(AgentMachines.throughput(4));
        AllocationMix.Mix mix = AllocationMix.generate(four, 2, new AllocationMix.Plan(500, 50, 100, 3), "m-");
        Set<Integer> pids = new HashSet<>();
        for (NodeCommand c : mix.commands()) {
            AllocRequest r = (AllocRequest) c.getBody();
            assertThat(r.getPreferredNode()).isEqualTo(2);
            pids.add(r.getPid());
        }
        assertThat(pids).allSatisfy(p -> assertThat(p).isBetween(AgentMachines.pid(2, 0),
                AgentMachines.pid(2, AgentMachines.TASKS_PER_NODE - 1)));
        assertThat(mix.commands().get(0).getCommandId()).isEqualTo("m-2-0");
    }

    @Test
    void aPlanTheNodeCannotServeOnItsFastPathIsAnError() {
        Scenario tiny = AgentMachines.parse(Map.of("profile", "seed",
                "nodes", List.of(Map.of("id", 0, "zones", List.of(Map.of("type", "NORMAL", "managed_pages", 4096,
                        "free", Map.of("0", 2048))))),
                "tasks", List.of(Map.of("pid", 7, "comm", "t", "rss", Map.of("0", Map.of("anon", 10))))));
        assertThatThrownBy(() -> AllocationMix.generate(tiny, 0, new AllocationMix.Plan(5_000, 4_000, 4_500, 1), "t-"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not succeed on the fast path of node 0");
    }
}
