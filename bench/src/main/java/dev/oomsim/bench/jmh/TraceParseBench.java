package dev.oomsim.bench.jmh;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.oomsim.stack.trace.TraceFiles;
import dev.oomsim.stack.trace.TraceLineParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@code oomsim load --replay}'s line parser on the real 6.18 trace ({@code traces/kmem-python-gzip-2cpu.trace.gz},
 * read into memory once): one operation parses one line, cycling through the file's 48 260 lines (headers,
 * allocations and frees in the file's own mix), so ops/s is lines/s on one core. Decompression is not measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TraceParseBench {

    /** The trace, relative to the repository root (or to a module directory one level below it). */
    static final String TRACE = "traces/kmem-python-gzip-2cpu.trace.gz";

    private String[] lines;
    private int cursor;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path trace = Path.of(TRACE);
        if (!Files.exists(trace)) {
            trace = Path.of("..").resolve(TRACE);
        }
        if (!Files.exists(trace)) {
            throw new IOException("no " + TRACE + " under " + Path.of("").toAbsolutePath()
                    + " or its parent: run the bench from the repository root");
        }
        List<String> read = new ArrayList<>();
        try (BufferedReader r = TraceFiles.open(trace)) {
            r.lines().forEach(read::add);
        }
        lines = read.toArray(String[]::new);
    }

    /** Parses one line. */
    @Benchmark
    public TraceLineParser.Result parseLine() {
        int i = cursor;
        cursor = i + 1 == lines.length ? 0 : i + 1;
        return TraceLineParser.parse(lines[i], i + 1);
    }
}
