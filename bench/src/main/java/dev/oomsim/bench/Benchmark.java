package dev.oomsim.bench;

/**
 * Something {@code oomsim bench} measures, yielding one or more {@link BenchRow}s. Two kinds, run at different
 * points of a bench run:
 * <ul>
 *   <li>{@link LiveBenchmark} runs in this JVM against the run's embedded broker (end-to-end figures: lock RTT,
 *       agent events/s, OOM-trigger→kill-visible);</li>
 *   <li>{@link JmhBenchmark} names a JMH benchmark class; JMH runs it in a forked JVM after the broker has stopped,
 *       and each of its results becomes a row.</li>
 * </ul>
 * Register new ones in {@link BenchRegistry#all()}.
 */
public sealed interface Benchmark permits LiveBenchmark, JmhBenchmark {

    /** Short name for progress messages and errors. */
    String name();
}
