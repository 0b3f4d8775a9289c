package dev.oomsim.bench.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.oomsim.report.ReportParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@code ReportParser.parse} on a log of {@value #REPORTS} copies of a real RHEL 7 (v3.10, two NUMA nodes, 85 tasks)
 * OOM report of {@value #LINES_PER_REPORT} lines, as {@code oomsim explain} reads a file: the same work counted as
 * reports/s and as lines/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReportParseBench {

    static final int REPORTS = 10;
    static final int LINES_PER_REPORT = 140;

    private List<String> log;

    @Setup
    public void setUp() {
        List<String> one;
        try (InputStream in = ReportParseBench.class.getResourceAsStream("rhel7-oom-report.txt")) {
            if (in == null) {
                throw new IllegalStateException("rhel7-oom-report.txt is not on the class path");
            }
            one = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (one.size() != LINES_PER_REPORT) {
            throw new IllegalStateException("report has " + one.size() + " lines, expected " + LINES_PER_REPORT);
        }
        log = new ArrayList<>();
        for (int i = 0; i < REPORTS; i++) {
            log.addAll(one);
        }
        log = Collections.unmodifiableList(log);
        ReportParser.Result r = ReportParser.parse(log);
        if (r.reports().size() != REPORTS) {
            throw new IllegalStateException("parsed " + r.reports().size() + " reports, expected " + REPORTS);
        }
    }

    /** The whole log parsed; each invocation counts as {@value #REPORTS} reports. */
    @Benchmark
    @OperationsPerInvocation(REPORTS)
    public int parseReports() {
        return ReportParser.parse(log).reports().size();
    }

    /** The same parse counted per line read. */
    @Benchmark
    @OperationsPerInvocation(REPORTS * LINES_PER_REPORT)
    public int parseLines() {
        return ReportParser.parse(log).lines();
    }
}
