package dev.oomsim.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a stored report from {@code src/test/resources/reports}. */
final class Reports {
    private Reports() {
    }

    static List<String> lines(String name) {
        try {
            return Files.readAllLines(Path.of("src/test/resources/reports", name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ParsedReport only(String name) {
        ReportParser.Result r = ReportParser.parse(lines(name));
        if (r.reports().size() != 1) {
            throw new AssertionError(name + ": " + r.reports().size() + " reports");
        }
        return r.reports().get(0);
    }
}
