package dev.oomsim.bench.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.bench.Target;

/**
 * {@code oomsim demo} as a user runs it: a child JVM ({@code dev.oomsim.cli.OomsimCommand demo --quiet}, on this JVM's
 * class path when the CLI is on it, as under {@code oomsim bench}, else {@code java -jar cli/target/oomsim.jar}),
 * timed from the spawn to its exit. It starts its own broker, four agents and the coordinator, leaks until three
 * kills, prints them and the pressure table, and shuts down. Target: under 60 s (issue 13). Skipped, and said so,
 * when neither the CLI classes nor its jar are there.
 */
public final class DemoWallTimeBenchmark implements LiveBenchmark {

    static final String CLI_MAIN = "dev.oomsim.cli.OomsimCommand";
    private static final long TIMEOUT_SECONDS = 180;

    @Override
    public String name() {
        return "demo wall time";
    }

    @Override
    public List<BenchRow> run(BenchContext context) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g"));
        Path dir = Files.createTempDirectory("oomsim-bench-demo");
        command.add("-Djava.io.tmpdir=" + dir);
        if (onClassPath()) {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), CLI_MAIN));
        } else {
            Path jar = Path.of("cli", "target", "oomsim.jar");
            if (!Files.exists(jar)) {
                jar = Path.of("..").resolve(jar);
            }
            if (!Files.exists(jar)) {
                context.progress().step("demo wall time: skipped, the CLI is neither on the class path nor built"
                        + " (cli/target/oomsim.jar): run `oomsim bench`, or `mvn -pl cli -am package` first");
                return List.of();
            }
            command.addAll(List.of("-jar", jar.toString()));
        }
        command.addAll(List.of("demo", "--quiet"));
        context.progress().step("demo wall time: " + String.join(" ", command.subList(command.size() - 3,
                command.size())) + " in a child JVM");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("demo.out").toFile())
                .redirectError(dir.resolve("demo.err").toFile()).start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("oomsim demo did not exit within " + TIMEOUT_SECONDS + " s (output in "
                        + dir + ")");
            }
        } finally {
            p.destroy();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (p.exitValue() != 0) {
            throw new IllegalStateException("oomsim demo exited " + p.exitValue() + ": " + tail(dir.resolve(
                    "demo.err")));
        }
        return List.of(BenchRow.of("oomsim demo wall time, start to exit (child JVM, 3 kills)", seconds, "s",
                Target.atMost(60)));
    }

    private static boolean onClassPath() {
        try {
            Class.forName(CLI_MAIN, false, DemoWallTimeBenchmark.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }
}
