package dev.oomsim.cli;

import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.stack.OomsimCluster;
import dev.oomsim.stack.ScenarioPlayback;

/**
 * {@code oomsim simulate --distributed}: a scenario through the real stack — an embedded Kafka broker and a node agent
 * per node of the machine ({@link OomsimCluster}), every event fed one at a time as a command and its outcome read
 * back from {@code progress} ({@link ScenarioPlayback}) — printing the same lines as the in-process run.
 */
final class DistributedSimulation {

    private DistributedSimulation() {
    }

    /** Runs the scenario tree through a fresh embedded broker and agents; returns the run as the model reports one. */
    static ScenarioRun run(Object scenarioTree) {
        Scenario scenario = ScenarioParser.parse(scenarioTree);
        try (OomsimCluster cluster = OomsimCluster.builder(scenario).start()) {
            return ScenarioPlayback.play(scenario, cluster);
        }
    }
}
