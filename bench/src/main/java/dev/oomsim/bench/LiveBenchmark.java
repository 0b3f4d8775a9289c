package dev.oomsim.bench;

import java.util.List;

/**
 * A benchmark that runs in this JVM against the bench run's broker. It may create topics
 * ({@link BenchContext#createTopic}), start clients and services, and must stop whatever it started before it
 * returns. Its rows compare with the run's baselines through {@link BenchRow#against}.
 */
public non-sealed interface LiveBenchmark extends Benchmark {

    List<BenchRow> run(BenchContext context) throws Exception;
}
