package dev.oomsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The kernel stays pure: only java.* and its own packages, no clock, no unseeded randomness, no I/O, no sleeping. */
class PurityTest {
    private static final Path MAIN = Path.of("src", "main", "java");

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    @Test
    void mainCodeImportsOnlyTheJdkLanguageAndUtilPackagesAndItself() throws IOException {
        List<String> offending = new ArrayList<>();
        for (Path p : sources()) {
            for (String line : Files.readAllLines(p)) {
                String l = line.trim();
                if (l.startsWith("import ")
                        && !l.matches("import (static )?(java\\.(lang|util|math)|dev\\.oomsim\\.kernel)\\..*")) {
                    offending.add(p.getFileName() + ": " + l);
                }
            }
        }
        assertThat(offending).isEmpty();
    }

    @Test
    void mainCodeReadsNoClockAndNeverSleeps() throws IOException {
        List<String> offending = new ArrayList<>();
        for (Path p : sources()) {
            String text = Files.readString(p);
            for (String banned : List.of("System.currentTimeMillis", "System.nanoTime", "Instant.now", "Thread.sleep",
                    "new Random(", "Math.random", "java.io.", "java.nio.", "System.out", "System.err")) {
                if (text.contains(banned)) {
                    offending.add(p.getFileName() + ": " + banned);
                }
            }
        }
        assertThat(offending).isEmpty();
    }
}
