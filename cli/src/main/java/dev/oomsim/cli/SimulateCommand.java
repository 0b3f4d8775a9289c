package dev.oomsim.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.kernel.scenario.ScenarioException;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.TextSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code oomsim simulate FILE}: runs a scenario through the kernel model alone (docs/scenario-format.md). */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Runs a scenario file through the kernel model: no broker, no clock, the same answer every "
                + "time.",
                "Bad scenario files exit with status 2 and one message naming the field path; nothing is printed on "
                + "stdout."})
final class SimulateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Scenario file, YAML or JSON.")
    Path file;

    @Option(names = "--json",
            description = "Print one JSON object per line: the boot line, one result per event, the final state.")
    boolean json;

    @Option(names = "--distributed",
            description = {"Run the scenario through the real stack: an embedded Kafka broker, a node agent per node,",
                    "events fed one at a time; prints the same lines as the in-process run."})
    boolean distributed;

    @Option(names = "--profile", paramLabel = "seed|modern",
            description = "Override the scenario's kernel profile: seed (Linux v4.4) or modern (v6.x).")
    String profile;

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String command = distributed ? "oomsim simulate --distributed: " : "oomsim simulate: ";
        ScenarioRun run;
        try {
            Object tree = ScenarioFiles.readTree(file);
            if (profile != null) {
                if (!(tree instanceof Map)) {
                    throw new ScenarioException("$", "a scenario is a mapping of fields");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> root = (Map<String, Object>) tree;
                root.put("profile", profile);
            }
            run = distributed ? DistributedSimulation.run(tree) : ScenarioRunner.run(ScenarioParser.parse(tree));
        } catch (ScenarioException e) {
            err.println(command + file + ": " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (IllegalArgumentException e) {
            // A valid scenario the distributed stack cannot run yet (a machine of several nodes).
            err.println(command + file + ": " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (json) {
            for (Map<String, Object> line : run.toTrees()) {
                out.println(JSON.writeValueAsString(line));
            }
        } else {
            out.print(TextSummary.render(run));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
