package dev.oomsim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {

    @Test
    void optionsParseWithTheirDefaults() {
        BenchCommand defaults = new BenchCommand();
        new CommandLine(defaults).parseArgs();
        BenchCommand set = new BenchCommand();
        new CommandLine(set).parseArgs("--quick", "--json", "--record-size", "64", "--out", "/tmp/b.md", "--strict");

        assertThat(defaults.quick).isFalse();
        assertThat(defaults.recordSize).isEqualTo(100);
        assertThat(defaults.out).isEqualTo(Path.of("docs/benchmarks.md"));
        assertThat(set.quick).isTrue();
        assertThat(set.json).isTrue();
        assertThat(set.recordSize).isEqualTo(64);
        assertThat(set.out).isEqualTo(Path.of("/tmp/b.md"));
        assertThat(set.strict).isTrue();
    }

    @Test
    void onlyNodeAgentKeepsTheAgentRows() {
        BenchCommand agent = new BenchCommand();
        new CommandLine(agent).parseArgs("--only", "NODE AGENT");

        List<Benchmark> kept = BenchCommand.selected(BenchRegistry.all(), agent.only);
        assertThat(kept).isNotEmpty().allSatisfy(b -> assertThat(b.name()).containsIgnoringCase("node agent"));
        assertThat(kept.size()).isLessThan(BenchRegistry.all().size());
    }

    @Test
    void badRecordSizeIsRefusedBeforeAnythingStarts() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        BenchCommand command = new BenchCommand(new PrintStream(java.io.OutputStream.nullOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        new CommandLine(command).parseArgs("--record-size", "0");

        assertThat(command.call()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("recordSizeBytes must be 1..1000000, was 0");
    }

    @Test
    void onlyKeepsTheBenchmarksWhoseNameContainsIt() {
        BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs("--only", "OOM_LOCK", "--only", "avro");

        List<String> names = BenchCommand.selected(BenchRegistry.all(), command.only).stream().map(Benchmark::name)
                .toList();

        assertThat(names).containsExactly("cluster oom_lock", "Avro serde");
        assertThat(BenchCommand.selected(BenchRegistry.all(), List.of())).hasSameSizeAs(BenchRegistry.all());
    }

    @Test
    void onlyMatchingNothingIsRefusedBeforeAnythingStarts() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        BenchCommand command = new BenchCommand(new PrintStream(java.io.OutputStream.nullOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        new CommandLine(command).parseArgs("--only", "no-such-benchmark");

        assertThat(command.call()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no benchmark matches --only [no-such-benchmark]");
    }
}
