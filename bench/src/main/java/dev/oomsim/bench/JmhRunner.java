package dev.oomsim.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link JmhBenchmark}s programmatically and turns their results into rows. Each benchmark class runs in its own
 * forked JVM (its {@code jvmArgs}); the fork's classpath is this JVM's {@code java.class.path}, so the bench must be
 * started with a real {@code -cp} (as {@code bin/oomsim} and {@code bench/run} do), not from a build tool's class
 * loader.
 */
public final class JmhRunner {

    private final JmhSettings settings;
    private final PrintStream log;

    public JmhRunner(JmhSettings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    public List<BenchRow> run(JmhBenchmark benchmark, Baselines baselines) {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.benchmarkClass().getName()) + "\\.")
                .forks(settings.forks())
                .warmupIterations(settings.warmupIterations())
                .warmupTime(TimeValue.milliseconds(settings.warmupTime().toMillis()))
                .measurementIterations(settings.measurementIterations())
                .measurementTime(TimeValue.milliseconds(settings.measurementTime().toMillis()))
                .shouldFailOnError(true)
                .jvmArgs(benchmark.jvmArgs().toArray(String[]::new));
        Collection<RunResult> results;
        try {
            results = new Runner(options.build(), OutputFormatFactory.createFormatInstance(log, VerboseMode.SILENT))
                    .run();
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH benchmark " + benchmark.name() + " failed: " + e.getMessage(), e);
        }
        Map<String, RunResult> byId = new HashMap<>();
        for (RunResult r : results) {
            byId.put(key(r.getParams().getBenchmark(), paramsOf(r)), r);
        }
        List<BenchRow> rows = new ArrayList<>();
        for (JmhRow row : benchmark.rows()) {
            RunResult r = byId.get(key(benchmark.benchmarkId(row), row.params()));
            if (r == null) {
                throw new IllegalStateException("JMH benchmark " + benchmark.name() + " has no result for "
                        + benchmark.benchmarkId(row) + " " + row.params() + "; results: " + byId.keySet());
            }
            rows.add(row.toRow(r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                    r.getPrimaryResult().getScoreUnit(), baselines));
        }
        return rows;
    }

    private static Map<String, String> paramsOf(RunResult r) {
        Map<String, String> params = new HashMap<>();
        for (String k : r.getParams().getParamsKeys()) {
            params.put(k, r.getParams().getParam(k));
        }
        return params;
    }

    private static String key(String benchmarkId, Map<String, String> params) {
        return benchmarkId + new java.util.TreeMap<>(params);
    }
}
