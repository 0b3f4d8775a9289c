package dev.oomsim.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import org.junit.jupiter.api.Test;

class AgentMachinesTest {

    @Test
    void everyMayOomOfTheTriggerKillsOneVictimNotKilledBeforeUntilTheVictimsRunOut() {
        int victims = 300;
        Scenario machine = AgentMachines.parse(AgentMachines.oomVictims(victims));
        ScenarioRunner model = new ScenarioRunner(machine);
        GfpFlags gfp = GfpFlags.fromRaw(AllocationMix.GFP_KERNEL, machine.profile());
        Set<Integer> killed = new HashSet<>();
        for (int i = 0; i < victims; i++) {
            EventResult.Alloc r = (EventResult.Alloc) model.runEvent(i,
                    new Scenario.MayOomEvent("t" + i, AgentMachines.TRIGGER_PID, gfp, 0, 0));
            assertThat(r.oomCalls()).as("request %d", i).hasSize(1);
            assertThat(r.oom().killed()).as("request %d", i).hasSize(1);
            int victim = r.oom().killed().get(0);
            assertThat(victim).isBetween(AgentMachines.FIRST_VICTIM_PID, AgentMachines.FIRST_VICTIM_PID + victims - 1);
            assertThat(killed.add(victim)).as("pid %d killed twice", victim).isTrue();
            assertThat(model.machine().tasks().get(victim).alive()).as("the victim exited").isFalse();
        }
        assertThat(model.machine().tasks().get(AgentMachines.TRIGGER_PID).alive()).isTrue();
    }

    @Test
    void victimsAreBoundedSoTheFreedPagesNeverLiftTheZoneToItsHighWatermark() {
        assertThat(AgentMachines.MAX_VICTIMS).isEqualTo(1519);
        assertThat(AgentMachines.oomVictims(1519)).isNotNull();
        assertThatThrownBy(() -> AgentMachines.oomVictims(1520))
                .hasMessageContaining("victims must be 1..1519, was 1520");
    }

    @Test
    void throughputMachineHasSixtyFourGibNodesWithTheirOwnTasks() throws Exception {
        Scenario four = AgentMachines.parse(AgentMachines.throughput(4));
        assertThat(four.nodes()).hasSize(4);
        assertThat(four.tasks()).hasSize(4 * AgentMachines.TASKS_PER_NODE);
        ScenarioRunner model = new ScenarioRunner(AgentMachines.parse(AgentMachines.throughput(1)));
        assertThat(model.machine().totalramPages()).isEqualTo(AgentMachines.PAGES_64_GIB);

        // The machine file an agent service reads is the same machine.
        Map<?, ?> reread = new ObjectMapper().readValue(AgentMachines.json(AgentMachines.throughput(4)), Map.class);
        Scenario fromFile = ScenarioParser.parse(reread);
        assertThat(fromFile.tasks()).isEqualTo(four.tasks());
        assertThat(new ScenarioRunner(fromFile).bootReport()).isEqualTo(new ScenarioRunner(four).bootReport());
    }
}
