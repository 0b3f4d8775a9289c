package dev.oomsim.cli;

import static dev.oomsim.cli.SimulateCommandTest.oomsim;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import dev.oomsim.cli.SimulateCommandTest.Result;
import org.junit.jupiter.api.Test;

/**
 * {@code oomsim simulate --distributed} starts its own embedded broker and agents, and prints what the model prints.
 */
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
    void theReadmeMainJobRunsATwoNodeMachineThroughTheStackAndPrintsTheKill() {
        Path scenario = SCENARIOS.resolve("2-nodes-global-kill.yaml");
        Result offline = oomsim("simulate", scenario.toString());
        Result distributed = oomsim("simulate", "--distributed", scenario.toString());
        assertThat(distributed.exit()).as(distributed.err()).isZero();
        assertThat(distributed.out()).isEqualTo(offline.out())
                .contains("Killed process 900 (java) total-vm:24000kB, anon-rss:20000kB, file-rss:0kB");
    }
}
