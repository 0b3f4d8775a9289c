package dev.oomsim.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.oomsim.broker.BrokerConfig;
import dev.oomsim.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;

/**
 * One bench run: start an embedded broker, measure its baselines, run every {@link LiveBenchmark} against it, stop
 * it, then run every {@link JmhBenchmark} (in forked JVMs, with the machine to themselves). Rows come out in the
 * order: baselines, then benchmarks in registry order.
 */
public final class BenchRunner {

    private final BenchSettings settings;
    private final List<Benchmark> benchmarks;
    private final PrintStream log;
    private final Progress progress;

    public BenchRunner(BenchSettings settings, List<Benchmark> benchmarks, PrintStream log) {
        this.settings = settings;
        this.benchmarks = List.copyOf(benchmarks);
        this.log = log;
        this.progress = Progress.to(log);
    }

    /** Runs everything on a broker of its own, whose logs live under {@code java.io.tmpdir} and are deleted after. */
    public BenchReport run() {
        long start = System.nanoTime();
        MachineInfo machine = MachineInfo.current();
        progress.step("starting an embedded Kafka broker");
        Baselines baselines;
        List<BenchRow> liveRows;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.defaults())) {
            Measured measured = measureOn(broker.bootstrapServers());
            baselines = measured.baselines();
            liveRows = measured.rows();
        }
        List<BenchRow> rows = new ArrayList<>(baselines.rows());
        rows.addAll(liveRows);
        rows.addAll(runJmh(baselines));
        return new BenchReport(machine, settings, rows, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Runs the baselines and the live benchmarks on a broker someone else runs (tests); no JMH. */
    public BenchReport runLiveOn(String bootstrapServers) {
        long start = System.nanoTime();
        MachineInfo machine = MachineInfo.current();
        Measured measured = measureOn(bootstrapServers);
        List<BenchRow> rows = new ArrayList<>(measured.baselines().rows());
        rows.addAll(measured.rows());
        return new BenchReport(machine, settings, rows, Duration.ofNanos(System.nanoTime() - start));
    }

    private record Measured(Baselines baselines, List<BenchRow> rows) {
    }

    private Measured measureOn(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Baselines baselines = BrokerBaselines.measure(bootstrapServers, admin, settings, progress);
            progress.step(String.format(java.util.Locale.ROOT,
                    "baselines: produce %s rec/s, consume %s rec/s, RTT p50 %s ms, p99 %s ms",
                    Figures.format(baselines.value(Baseline.PRODUCE_THROUGHPUT)),
                    Figures.format(baselines.value(Baseline.CONSUME_THROUGHPUT)),
                    Figures.format(baselines.value(Baseline.RTT_P50)),
                    Figures.format(baselines.value(Baseline.RTT_P99))));
            BenchContext context = new BenchContext(bootstrapServers, admin, settings, baselines, progress);
            List<BenchRow> rows = new ArrayList<>();
            for (Benchmark b : benchmarks) {
                if (b instanceof LiveBenchmark live) {
                    progress.step("live: " + live.name());
                    try {
                        rows.addAll(live.run(context));
                    } catch (Exception e) {
                        throw new IllegalStateException("benchmark '" + live.name() + "' failed: " + e.getMessage(), e);
                    }
                }
            }
            return new Measured(baselines, rows);
        }
    }

    private List<BenchRow> runJmh(Baselines baselines) {
        JmhRunner jmh = new JmhRunner(settings.jmh(), log);
        List<BenchRow> rows = new ArrayList<>();
        for (Benchmark b : benchmarks) {
            if (b instanceof JmhBenchmark j) {
                progress.step("JMH: " + j.name() + " (" + j.rows().size() + " results, forked JVM)");
                rows.addAll(jmh.run(j, baselines));
            }
        }
        return rows;
    }

    /** Writes the Markdown report, creating parent directories. */
    public static void writeMarkdown(BenchReport report, Path out) throws java.io.IOException {
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, ReportRenderer.markdown(report));
    }
}
