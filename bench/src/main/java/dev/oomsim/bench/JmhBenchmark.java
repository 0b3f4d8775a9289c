package dev.oomsim.bench;

import java.util.List;

/**
 * A JMH benchmark class and the rows its results become. The class lives in this module (annotation processing
 * lists it in {@code META-INF/BenchmarkList}); JMH runs it in a forked JVM with {@code jvmArgs}.
 *
 * @param name           short name for progress and errors
 * @param benchmarkClass the class holding the {@code @Benchmark} methods
 * @param jvmArgs        arguments of the forked JVM (heap size, GC)
 * @param rows           one per reported result; results without a row are not reported
 */
public record JmhBenchmark(String name, Class<?> benchmarkClass, List<String> jvmArgs,
        List<JmhRow> rows) implements Benchmark {

    /** What every forked benchmark JVM gets unless a benchmark says otherwise: a fixed 1 GiB heap. */
    public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xms1g", "-Xmx1g");

    public JmhBenchmark {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("JMH benchmark needs a name");
        }
        if (benchmarkClass == null) {
            throw new IllegalArgumentException("JMH benchmark " + name + " needs its class");
        }
        jvmArgs = List.copyOf(jvmArgs);
        rows = List.copyOf(rows);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("JMH benchmark " + name + " reports no rows");
        }
    }

    public static JmhBenchmark of(String name, Class<?> benchmarkClass, JmhRow... rows) {
        return new JmhBenchmark(name, benchmarkClass, DEFAULT_JVM_ARGS, List.of(rows));
    }

    /** The fully qualified name JMH gives a method's results: {@code class.method}. */
    public String benchmarkId(JmhRow row) {
        return benchmarkClass.getName() + "." + row.method();
    }
}
