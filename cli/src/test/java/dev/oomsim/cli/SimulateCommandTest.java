package dev.oomsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class SimulateCommandTest {

    private static final Path SCENARIOS = Path.of("..", "scenarios");

    record Result(int exit, String out, String err) {
    }

    static Result oomsim(String... args) {
        CommandLine cl = OomsimCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    static Stream<Path> scenarios() throws IOException {
        try (Stream<Path> files = Files.list(SCENARIOS)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void jsonOutputOfEveryExampleScenarioIsItsCheckedInExpectation(Path scenario) throws IOException {
        String name = scenario.getFileName().toString().replace(".yaml", ".jsonl");
        Result r = oomsim("simulate", "--json", scenario.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(Files.readString(SCENARIOS.resolve("expected").resolve(name)));
    }

    @Test
    void readableOutputShowsTheKillAndTheKernelsLogLines() {
        Result r = oomsim("simulate", SCENARIOS.resolve("2-nodes-global-kill.yaml").toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("#0 alloc: page node 0 NORMAL pfn 0 order 0")
                .contains("chose 900 (java) points 5010 score 611")
                .contains("    Out of memory: Kill process 900 (java) score 611 or sacrifice child");
    }

    @Test
    void aBadScenarioExitsWithTwoNamingTheFieldPathAndPrintsNothingOnStdout(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                nodes:
                  - id: 0
                    zones:
                      - {type: NORMAL, managed_pags: 4096}
                tasks: []
                events: []
                """);
        Result r = oomsim("simulate", "--json", bad.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("nodes[0].zones[0]").contains("managed_pags");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void invalidYamlAndMissingFilesAreBadInputToo(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "nodes: [\n  - {id: 0\n");
        Result r = oomsim("simulate", broken.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("is not valid YAML at line");

        Result missing = oomsim("simulate", dir.resolve("nope.yaml").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such scenario file");
    }

    @Test
    void profileOptionOverridesTheScenario() {
        Result seed = oomsim("simulate", "--json", SCENARIOS.resolve("1-node-tie-seed.yaml").toString());
        Result modern = oomsim("simulate", "--json", "--profile", "modern", SCENARIOS.resolve("1-node-tie-seed.yaml")
                .toString());
        assertThat(seed.exit()).isZero();
        assertThat(modern.exit()).isZero();
        List<String> seedLines = seed.out().lines().toList();
        List<String> modernLines = modern.out().lines().toList();
        assertThat(seedLines.get(0)).contains("\"profile\":\"seed\"");
        assertThat(modernLines.get(0)).contains("\"profile\":\"modern\"");
        assertThat(modernLines).isNotEqualTo(seedLines);
    }
}
