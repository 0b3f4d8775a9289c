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
                "This build: only --replay with --dry-run; producing (and --workload) is not in it yet."},
        footerHeading = "%nExamples:%n",
        footer = {"  oomsim load --replay kmem.trace.gz --dry-run --json | jq .unparsable.count",
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

    @Override
    public Integer call() throws IOException {
        if (source.workload != null) {
            throw new UsageFailure("--workload is not in this build yet: replay a trace with --replay TRACE --dry-run");
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
