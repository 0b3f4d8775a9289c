package dev.oomsim.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oomsim bench}: measures every registered benchmark beside the broker's own figures from the same run, prints
 * the table (or JSON) and writes it to {@code docs/benchmarks.md}. Register it as a subcommand of {@code oomsim};
 * {@link BenchMain} runs it standalone.
 *
 * <p>Exit status: 0 when the run completed (whatever the verdicts), 1 when it could not run, 3 with
 * {@code --strict} when a row missed its target.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the benchmarks beside the broker's own baselines (produce, consume, round trip)",
                       "measured on an embedded broker in the same run; print the table and write it to --out."})
public final class BenchCommand implements Callable<Integer> {

    public static final int EXIT_TARGET_MISSED = 3;

    @Option(names = "--quick", description = "Small counts and short JMH iterations: well under a minute.")
    boolean quick;

    @Option(names = "--json", description = "Print the report as JSON on stdout instead of the table.")
    boolean json;

    @Option(names = "--record-size", paramLabel = "BYTES", defaultValue = "" + BenchSettings.DEFAULT_RECORD_SIZE,
            description = "Value size of the baseline records (default: ${DEFAULT-VALUE}).")
    int recordSize;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "docs/benchmarks.md",
            description = "Where to write the Markdown report (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--no-write", description = "Do not write the Markdown report.")
    boolean noWrite;

    @Option(names = "--strict", description = "Exit with status " + EXIT_TARGET_MISSED
            + " when a row misses its target.")
    boolean strict;

    @Option(names = "--only", paramLabel = "NAME",
            description = {"Run only the benchmarks whose name contains NAME (case-insensitive; repeatable), beside "
                    + "the",
                           "baselines of the same run, e.g. --only oom_lock. A partial table is not written to",
                           "docs/benchmarks.md unless --out is given."})
    List<String> only = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private final PrintStream stdout;
    private final PrintStream stderr;

    public BenchCommand() {
        this(System.out, System.err);
    }

    BenchCommand(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public Integer call() throws Exception {
        BenchSettings settings;
        try {
            settings = BenchSettings.of(quick ? BenchMode.QUICK : BenchMode.FULL, recordSize);
        } catch (IllegalArgumentException e) {
            stderr.println("oomsim bench: " + e.getMessage());
            return 2;
        }
        List<Benchmark> benchmarks = selected(BenchRegistry.all(), only);
        if (benchmarks.isEmpty()) {
            stderr.println("oomsim bench: no benchmark matches --only " + only);
            return 2;
        }
        BenchReport report;
        try {
            report = new BenchRunner(settings, benchmarks, stderr).run();
        } catch (RuntimeException e) {
            stderr.println("oomsim bench: the run failed: " + e.getMessage());
            e.printStackTrace(stderr);
            return 1;
        }
        stdout.print(json ? ReportRenderer.json(report) : ReportRenderer.table(report));
        stdout.flush();
        boolean partial = !only.isEmpty();
        boolean outGiven = spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--out");
        if (!noWrite && (!partial || outGiven)) {
            BenchRunner.writeMarkdown(report, out);
            stderr.println("wrote " + out);
        }
        return strict && report.failures() > 0 ? EXIT_TARGET_MISSED : 0;
    }

    /** The benchmarks whose name contains one of {@code names} (case-insensitive), in registry order; all when none. */
    static List<Benchmark> selected(List<Benchmark> all, List<String> names) {
        if (names.isEmpty()) {
            return all;
        }
        List<Benchmark> kept = new ArrayList<>();
        for (Benchmark b : all) {
            String name = b.name().toLowerCase(Locale.ROOT);
            if (names.stream().anyMatch(n -> name.contains(n.toLowerCase(Locale.ROOT)))) {
                kept.add(b);
            }
        }
        return kept;
    }
}
