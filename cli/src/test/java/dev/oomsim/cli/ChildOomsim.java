package dev.oomsim.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code oomsim} command in a JVM of its own, its stdout and stderr in a file, stopped as a user would. */
final class ChildOomsim implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ChildOomsim(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ChildOomsim start(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), OomsimCommand.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildOomsim(p, log);
    }

    /** Waits until the output has a line matching {@code regex}; returns its first group (or the whole match). */
    String awaitLine(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
        String[] found = new String[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            Matcher m = pattern.matcher(output());
            if (m.find()) {
                found[0] = m.groupCount() > 0 ? m.group(1) : m.group();
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError("oomsim exited with " + process.exitValue() + " before printing /" + regex
                        + "/:\n" + output());
            }
            return false;
        });
        return found[0];
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Sends SIGINT (what Ctrl-C sends) and waits for the exit status. */
    int interrupt(Duration timeout) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -INT " + process.pid() + " failed");
        }
        return waitFor(timeout).orElseThrow(() -> new AssertionError("oomsim did not stop within " + timeout
                + " of SIGINT:\n" + outputOrEmpty()));
    }

    Optional<Integer> waitFor(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            return Optional.of(process.exitValue());
        }
        return Optional.empty();
    }

    private String outputOrEmpty() {
        try {
            return output();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
