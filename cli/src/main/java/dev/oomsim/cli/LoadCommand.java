package dev.oomsim.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.stack.trace.CpuNodeMap;
import dev.oomsim.stack.trace.TraceFiles;
import dev.oomsim.stack.trace.TraceGfp;
import dev.oomsim.stack.trace.TraceLineParser;
import dev.oomsim.stack.trace.TraceSummary;
import dev.oomsim.stack.trace.Unparsable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oomsim load}: task events and allocation requests for a running stack, from a workload file or a real kernel
 * trace. This build parses traces ({@code --replay TRACE --dry-run}); producing to the stack is not in it yet.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Produces task events and allocation requests for a running stack.",
                "--replay TRACE reads a kernel trace of kmem:mm_page_alloc and kmem:mm_page_free (ftrace text from",
                "/sys/kernel/tracing/trace or `perf script` output, plain or gzip); --dry-run --json parses it",
                "without producing and prints one summary object. Unparsable lines are counted and reported with",
                "their line numbers.",
                "--workload FILE produces a workload file (scenarios/workloads/, docs/workload-format.md) at --rate.",
                "This build: --replay only with --dry-run."},
        footerHeading = "%nExamples:%n",
        footer = {"  oomsim load --workload scenarios/workloads/leak-one-task.yaml --rate 5000/s --seed 7",
                "  oomsim load --replay kmem.trace.gz --dry-run --json | jq .unparsable.count",
                "  oomsim load --replay kmem.trace --cpu-node 0-1:0,2-3:1 --profile seed --dry-run",
                "",
                "Exit status: 0 done, 1 the trace cannot be read, 2 bad usage, 130 stopped with Ctrl-C."})
final class LoadCommand implements Callable<Integer> {

    /** Where the load comes from. */
    static final class Source {
        @Option(names = "--workload", paramLabel = "FILE", required = true,
                description = "A workload file (YAML, scenarios/workloads/).")
        Path workload;

        @Option(names = "--replay", paramLabel = "TRACE", required = true,
                description = "A kernel trace of kmem:mm_page_alloc / kmem:mm_page_free, plain or gzip.")
        Path replay;
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--cpu-node", paramLabel = "CPUS:NODE[,…]",
            description = "Which node each trace CPU belongs to, e.g. 0-1:0,2-3:1 (default: every CPU on node 0).")
    String cpuNode;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1",
            description = "Replay speed: 2 replays twice as fast as recorded (default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--profile", paramLabel = "seed|modern", defaultValue = "modern",
            description = "Kernel profile whose gfp flag names the trace is mapped to (default: ${DEFAULT-VALUE}).")
    Profile profile;

    @Option(names = "--dry-run", description = "Parse only; produce nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "With --dry-run: print the summary as one JSON object.")
    boolean json;

    @Option(names = "--quiet", description = "No progress bar on stderr.")
    boolean quiet;

    @Option(names = "--rate", paramLabel = "R/s", defaultValue = "0",
            description = "With --workload: records a second, paced by a token bucket (default: as fast as possible).")
    String rate;

    @Option(names = "--duration", paramLabel = "D", description = "With --workload: simulated time to run, e.g. 30s,"
            + " 2m (default: the file's duration_s).")
    String duration;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "With --workload: the seed; the same file and seed give the same records (default: 1).")
    long seed;

    private Integer runWorkload() {
        double perSecond;
        try {
            perSecond = Double.parseDouble(rate.endsWith("/s") ? rate.substring(0, rate.length() - 2) : rate);
        } catch (NumberFormatException e) {
            throw new UsageFailure("--rate must be records a second, e.g. 5000/s; got " + rate);
        }
        if (perSecond < 0 || Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
            throw new UsageFailure("--rate must be >= 0 records a second (0: unpaced); got " + rate);
        }
        long nanos = duration == null ? 0 : parseDuration(duration);
        dev.oomsim.stack.load.Workload w;
        dev.oomsim.stack.load.WorkloadGenerator gen;
        try {
            w = dev.oomsim.stack.load.WorkloadFiles.read(source.workload);
            gen = new dev.oomsim.stack.load.WorkloadGenerator(w, seed, nanos);
        } catch (dev.oomsim.stack.load.WorkloadException e) {
            throw new UsageFailure(e.getMessage());
        }
        var topics = broker.topics();
        broker.requireTopic(topics.taskEvents().name());
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar bar = ProgressBar.forStderr(err, quiet);
        dev.oomsim.stack.load.LoadProducer.Result r;
        try (Interruption interruption = Interruption.install();
                var producer = new dev.oomsim.stack.load.LoadProducer(broker.bootstrap, topics)) {
            r = producer.run(gen, perSecond, System::nanoTime, interruption::requested,
                    n -> bar.show("records of " + w.name(), n, 0));
            bar.erase();
        } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
            throw new CommandFailure("load of " + source.workload + " to " + broker.bootstrap + " failed: "
                    + e.getMessage(), e);
        }
        if (!quiet) {
            err.printf("oomsim load: %s (seed %d): %d task events, %d requests in %.1f s (%.0f records/s)%s%n",
                    w.name(), seed, r.taskEvents(), r.requests(), r.nanos() / 1e9, r.rate(),
                    r.stopped() ? ", stopped with Ctrl-C (producer flushed)" : "");
            err.flush();
        }
        return r.stopped() ? ExitCodes.INTERRUPTED : ExitCodes.OK;
    }

    private static long parseDuration(String d) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)").matcher(d);
        if (!m.matches()) {
            throw new UsageFailure("--duration must be a number with a unit (ms, s, m, h), e.g. 30s; got " + d);
        }
        double v = Double.parseDouble(m.group(1));
        double unit = switch (m.group(2)) {
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
        };
        long nanos = (long) (v * unit);
        if (nanos <= 0) {
            throw new UsageFailure("--duration must be positive; got " + d);
        }
        return nanos;
    }

    @Override
    public Integer call() throws IOException {
        if (source.workload != null) {
            return runWorkload();
        }
        if (!dryRun) {
            throw new UsageFailure("producing a replay is not in this build yet: add --dry-run to parse the trace");
        }
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new UsageFailure("--speed must be a positive number, e.g. 2 for twice as fast; got " + speed);
        }
        CpuNodeMap cpus;
        try {
            cpus = cpuNode == null ? CpuNodeMap.ALL_ON_NODE_0 : CpuNodeMap.parse(cpuNode);
        } catch (IllegalArgumentException e) {
            throw new UsageFailure("--cpu-node: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TraceSummary summary = new TraceSummary(new TraceGfp(profile, Arch.X86_64), cpus);
        ProgressBar bar = ProgressBar.forStderr(err, quiet);
        boolean interrupted;
        try (Interruption interruption = Interruption.install(); BufferedReader r = open(source.replay)) {
            long n = 0;
            for (String line = r.readLine(); line != null && !interruption.requested(); line = r.readLine()) {
                summary.add(TraceLineParser.parse(line, ++n));
                if ((n & 0xffff) == 0) {
                    bar.show("lines of " + source.replay.getFileName(), n, 0);
                }
            }
            bar.erase();
            interrupted = interruption.requested();
        }
        if (json) {
            out.println(JSON.writeValueAsString(summary.tree()));
        } else {
            printText(out, summary);
        }
        out.flush();
        if (!json) {
            for (Unparsable u : summary.unparsable()) {
                err.println("oomsim load: " + source.replay + ": " + u);
            }
            if (summary.unparsableCount() > summary.unparsable().size()) {
                err.println("oomsim load: … and " + (summary.unparsableCount() - summary.unparsable().size())
                        + " more unparsable lines");
            }
            err.flush();
        }
        return interrupted ? ExitCodes.INTERRUPTED : ExitCodes.OK;
    }

    private static BufferedReader open(Path trace) {
        try {
            if (Files.isDirectory(trace)) {
                throw new UsageFailure("--replay " + trace + " is a directory: name a trace file");
            }
            return TraceFiles.open(trace);
        } catch (NoSuchFileException e) {
            throw new UsageFailure("--replay " + trace + ": no such file");
        } catch (IOException e) {
            throw new CommandFailure("cannot read " + trace + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void printText(PrintWriter out, TraceSummary s) {
        Map<String, Object> t = s.tree();
        Map<String, Object> a = (Map<String, Object>) t.get("allocations");
        Map<String, Object> f = (Map<String, Object>) t.get("frees");
        out.println("lines read: " + s.linesRead() + " (" + s.headerLines() + " header lines)");
        out.println("allocations: " + s.allocations() + " by order " + a.get("byOrder"));
        out.println("frees: " + s.frees() + " by order " + f.get("byOrder"));
        out.println("allocations by comm: " + a.get("byComm"));
        out.println("allocations by gfp name: " + a.get("byGfpName"));
        out.println("flags with no meaning in profile " + t.get("profile") + ": "
                + t.get("flagsWithNoMeaningInProfile"));
        out.println("unparsable lines: " + s.unparsableCount());
    }
}
