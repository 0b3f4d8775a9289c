package dev.oomsim.cli;

import static dev.oomsim.cli.SimulateCommandTest.oomsim;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import dev.oomsim.cli.SimulateCommandTest.Result;
import org.junit.jupiter.api.Test;

/** {@code oomsim simulate --distributed} starts its own embedded broker and agents, and prints what the model prints. */
class SimulateDistributedIT {

    private static final Path SCENARIOS = Path.of("..", "scenarios");

    @Test
    void distributedRunOfAOneNodeScenarioPrintsWhatTheModelPrints() {
        Path scenario = SCENARIOS.resolve("1-node-child-sacrifice.yaml");
        Result offline = oomsim("simulate", "--json", scenario.toString());
        Result distributed = oomsim("simulate", "--json", "--distributed", scenario.toString());
        assertThat(distributed.exit()).as(distributed.err()).isZero();
        assertThat(distributed.out()).isEqualTo(offline.out());
    }

    @Test
    void aMachineOfSeveralNodesIsRefusedWithTheReasonAndExitTwo() {
        Result r = oomsim("simulate", "--distributed", SCENARIOS.resolve("2-nodes-global-kill.yaml").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("one-node machines so far");
    }
}
