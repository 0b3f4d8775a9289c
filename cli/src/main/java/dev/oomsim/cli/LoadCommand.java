package dev.oomsim.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.TaskState;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.ScenarioFeeder;
import dev.oomsim.stack.load.LoadProducer;
import dev.oomsim.stack.load.Pacing;
import dev.oomsim.stack.trace.CpuNodeMap;
import dev.oomsim.stack.trace.OutcomeWatch;
import dev.oomsim.stack.trace.TraceFiles;
import dev.oomsim.stack.trace.TraceGfp;
import dev.oomsim.stack.trace.TraceLineParser;
import dev.oomsim.stack.trace.TraceReplay;
import dev.oomsim.stack.trace.TraceSummary;
import dev.oomsim.stack.trace.Unparsable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oomsim load}: task events and allocation requests for a running stack, from a workload file or a real kernel
 * trace ({@code --replay}, docs/cli.md: how a trace's frees find the model's pages), or a trace parsed only
 * ({@code --replay TRACE --dry-run}).
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Produces task events and allocation requests for a running stack.",
                "--replay TRACE replays a kernel trace of kmem:mm_page_alloc and kmem:mm_page_free (ftrace text from",
                "/sys/kernel/tracing/trace or `perf script` output, plain or gzip) at --speed: each pid/comm a task,",
                "each allocation a request on its CPU's node (--cpu-node), each free a free of the block the model",
                "handed out for that page. Frees of pages allocated before the trace began, unparsable lines and",
                "other events not replayed are counted and reported with their line numbers. --dry-run parses only.",
                "--workload FILE produces a workload file (scenarios/workloads/, docs/workload-format.md) at --rate."},
        footerHeading = "%nExamples:%n",
        footer = {"  oomsim load --workload scenarios/workloads/leak-one-task.yaml --rate 5000/s --seed 7",
                "  oomsim load --replay traces/kmem-python-gzip-2cpu.trace.gz --cpu-node 0:0,1:1 --speed max",
                "  oomsim load --replay kmem.trace.gz --dry-run --json | jq .unparsable.count",
                "  oomsim load --replay kmem.trace --cpu-node 0-1:0,2-3:1 --profile seed --dry-run",
                "",
                "Exit status: 0 done, 1 the trace cannot be read or the stack not reached or not answering, 2 bad",
                "usage, 130 stopped with Ctrl-C."})
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

    /** How long a replay waits for the stack to answer one request (a free waits for its allocation's answer). */
    static final Duration ANSWER_DEADLINE = Duration.ofSeconds(60);

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

    @Option(names = "--speed", paramLabel = "X|max", defaultValue = "1",
            description = "Replay speed on the trace's own timestamps: 2 replays twice as fast as recorded, max (or"
                    + " 0) as fast as the stack takes it (default: ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--profile", paramLabel = "seed|modern",
            description = "Kernel profile whose gfp flag names the trace is mapped to (default: the stack's; with"
                    + " --dry-run: modern). Must be the stack's when producing.")
    Profile profile;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "256",
            description = "With --replay: at most N requests unanswered by the stack at a time (default:"
                    + " ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--dry-run", description = "Parse only; produce nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "With --replay: print the summary as one JSON object.")
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
            description = "The seed; the same file (or trace) and seed give the same records; replay requests are"
                    + " named replay-<seed>-<line> (default: 1).")
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
        // Held until the report is printed: the shutdown hook lets the JVM exit once it is closed.
        try (Interruption interruption = Interruption.install()) {
            try (var producer = new dev.oomsim.stack.load.LoadProducer(broker.bootstrap, topics)) {
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
        double replaySpeed = parseSpeed(speed);
        CpuNodeMap cpus;
        try {
            cpus = cpuNode == null ? CpuNodeMap.ALL_ON_NODE_0 : CpuNodeMap.parse(cpuNode);
        } catch (IllegalArgumentException e) {
            throw new UsageFailure("--cpu-node: " + e.getMessage());
        }
        if (!dryRun) {
            return runReplay(cpus, replaySpeed);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TraceSummary summary = new TraceSummary(new TraceGfp(profile == null ? Profile.MODERN : profile,
                Arch.X86_64), cpus);
        ProgressBar bar = ProgressBar.forStderr(err, quiet);
        boolean interrupted;
        // Held until the report is printed: the shutdown hook lets the JVM exit once it is closed.
        try (Interruption interruption = Interruption.install()) {
            try (BufferedReader r = open(source.replay)) {
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
                reportUnparsable(err, summary);
                err.flush();
            }
            return interrupted ? ExitCodes.INTERRUPTED : ExitCodes.OK;
        }
    }

    /** {@code --speed}: a positive factor, or {@code max} / {@code 0} for as fast as possible (returned as 0). */
    private static double parseSpeed(String text) {
        if (text.equals("max")) {
            return 0;
        }
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new UsageFailure("--speed must be a positive number (2: twice as fast as recorded) or max; got "
                    + text);
        }
        return v;
    }

    /** {@code --replay TRACE} without {@code --dry-run}: the trace produced to the running stack. */
    private Integer runReplay(CpuNodeMap cpus, double replaySpeed) throws IOException {
        if (maxInFlight < 1) {
            throw new UsageFailure("--max-in-flight must be at least 1; got " + maxInFlight);
        }
        BufferedReader in = open(source.replay);
        Topics topics = broker.topics();
        try {
            broker.requireTopic(topics.allocRequests().name());
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
        int nodes = partitions(topics.allocRequests().name());
        for (int cpu = 0; cpu < cpus.nodeOfCpu().length; cpu++) {
            if (cpus.nodeOfCpu()[cpu] >= nodes) {
                throw new UsageFailure("--cpu-node puts CPU " + cpu + " on node " + cpus.nodeOfCpu()[cpu]
                        + ", but the stack at " + broker.bootstrap + " has " + nodes + " node(s)");
            }
        }
        Profile stackProfile;
        NodeState node0;
        try {
            node0 = snapshot(topics);
            stackProfile = Profile.valueOf(node0.getProfile().name());
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
        if (profile != null && profile != stackProfile) {
            in.close();
            throw new UsageFailure("--profile " + profile.scenarioName() + ": the stack runs the "
                    + stackProfile.scenarioName() + " profile, whose gfp bits the requests must carry");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar bar = ProgressBar.forStderr(err, quiet);
        String name = source.replay.getFileName().toString();
        TraceReplay replay;
        LoadProducer.Result r;
        long answered;
        long deadLettered;
        long nulls;
        long spawnsDeadLettered;
        Map<String, Long> deadLetters;
        // Held until the report is printed: the shutdown hook lets the JVM exit once it is closed.
        try (Interruption interruption = Interruption.install()) {
            try (in;
                    OutcomeWatch outcomes = new OutcomeWatch(broker.bootstrap, topics, "replay-" + seed + "-",
                            ANSWER_DEADLINE, interruption::requested);
                    LoadProducer producer = new LoadProducer(broker.bootstrap, topics)) {
                replay = new TraceReplay(in, new TraceGfp(stackProfile, Arch.X86_64), cpus, seed, outcomes, maxInFlight)
                        .avoidPids(node0.getTasks().stream().map(TaskState::getPid).toList());
                TraceReplay progress = replay;
                r = producer.run(replay, replaySpeed > 0 ? new Pacing.Timestamps(replaySpeed) : new Pacing.Unpaced(),
                        System::nanoTime, interruption::requested,
                        n -> bar.show("records of " + name + " (line " + progress.summary().linesRead() + ")", n, 0));
                long requests = r.requests();
                answered = outcomes.awaitAnswered(requests, ANSWER_DEADLINE, interruption::requested,
                        n -> bar.show("answers from the stack", n, requests));
                bar.erase();
                deadLettered = outcomes.deadLettered();
                nulls = outcomes.nulls();
                spawnsDeadLettered = outcomes.taskEventsDeadLettered();
                deadLetters = outcomes.deadLetterReasons();
            } catch (IllegalStateException | org.apache.kafka.common.KafkaException | UncheckedIOException e) {
                bar.erase();
                throw new CommandFailure("replay of " + source.replay + " to " + broker.bootstrap + " failed: "
                        + e.getMessage(), e);
            }
            boolean stopped = r.stopped() || replay.stopped();
            if (json) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("seed", seed);
                t.put("profile", stackProfile.scenarioName());
                t.put("taskEvents", r.taskEvents());
                t.put("requests", r.requests());
                t.put("seconds", r.nanos() / 1e9);
                t.put("answered", answered);
                t.put("deadLettered", deadLettered);
                t.put("taskEventsDeadLettered", spawnsDeadLettered);
                t.put("deadLetterReasons", deadLetters);
                t.put("allocationsTheModelDidNotGrant", nulls);
                t.put("stopped", stopped);
                t.putAll(replay.tree());
                out.println(JSON.writeValueAsString(t));
                out.flush();
            }
            if (!quiet || answered < r.requests()) {
                err.printf("oomsim load: %s (seed %d): %d tasks, %d allocations, %d frees in %.1f s (%.0f records/s);"
                        + " %d of %d requests answered (%d dead-lettered, %d allocations NULL in the model), %d task"
                        + " events dead-lettered%s%n",
                        name, seed, replay.tasks(), replay.allocations(), replay.frees(), r.nanos() / 1e9, r.rate(),
                        answered, r.requests(), deadLettered, nulls, spawnsDeadLettered,
                        stopped ? "; stopped with Ctrl-C" : "");
                report(err, "frees of pages allocated before the trace began", replay.freesOfUnseenPages());
                report(err, "frees of allocations the model did not grant", replay.freesNotGranted());
                report(err, "frees of another order than the allocation", replay.freesOfOtherOrder());
                report(err, "events on CPUs --cpu-node does not name", replay.onCpusWithoutNode());
                report(err, "allocations of order >= MAX_ORDER", replay.ordersAboveMax());
                report(err, "allocations of a pfn the trace never freed before", replay.reallocatedWithoutFree());
                deadLetters.forEach((reason, n) -> err.println("oomsim load: dead-lettered " + n + " requests: "
                        + reason));
            }
            if (!json) {
                reportUnparsable(err, replay.summary());
            }
            err.flush();
            if (stopped) {
                return ExitCodes.INTERRUPTED;
            }
            if (answered < r.requests()) {
                throw new CommandFailure((r.requests() - answered) + " of " + r.requests() + " requests got no answer"
                        + " from the stack within " + ANSWER_DEADLINE.toSeconds() + " s: are the agents of every node"
                        + " running?");
            }
            return ExitCodes.OK;
        }
    }

    private static void report(PrintWriter err, String what, TraceReplay.Skipped s) {
        if (s.count() == 0) {
            return;
        }
        String lines = s.lines().stream().map(String::valueOf).collect(Collectors.joining(", "));
        err.println("oomsim load: not replayed: " + s.count() + " " + what + " (lines " + lines
                + (s.count() > s.lines().size() ? ", …" : "") + ")");
    }

    private void reportUnparsable(PrintWriter err, TraceSummary summary) {
        for (Unparsable u : summary.unparsable()) {
            err.println("oomsim load: " + source.replay + ": " + u);
        }
        if (summary.unparsableCount() > summary.unparsable().size()) {
            err.println("oomsim load: … and " + (summary.unparsableCount() - summary.unparsable().size())
                    + " more unparsable lines");
        }
    }

    /** The number of partitions of {@code topic}: one per node for {@code alloc-requests}. */
    private int partitions(String topic) {
        try (Admin admin = Admin.create(BrokerOptions.adminProps(broker.bootstrap))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(BrokerOptions.CONNECT_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS).get(topic).partitions().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted while describing " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new CommandFailure("cannot describe " + topic + " on " + broker.bootstrap + ": " + e.getMessage(), e);
        }
    }

    /** Node 0's answer to a snapshot request: the stack's profile and its tasks. */
    private NodeState snapshot(Topics topics) {
        try (ScenarioFeeder feeder = new ScenarioFeeder(broker.bootstrap, topics)) {
            return feeder.snapshot("replay-" + seed + "-profile-" + System.nanoTime(), 0);
        } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
            throw new CommandFailure("the agent of node 0 at " + broker.bootstrap + " did not answer a snapshot"
                    + " request (to learn the stack's profile): " + e.getMessage(), e);
        }
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
