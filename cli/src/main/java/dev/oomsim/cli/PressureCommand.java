package dev.oomsim.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.topics.TopicSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code oomsim pressure}: the cluster's memory pressure, node by node, as the coordinator folds it. */
@Command(name = "pressure", mixinStandardHelpOptions = true,
        description = {"Prints the stack's memory pressure, node by node.",
                "A table of a running stack: one row per node and one for the",
                "cluster (managed and free pages, requests, failed allocations, may_oom calls, kills, last victim),",
                "read from the coordinator's compacted pressure topic."},
        footerHeading = "%nExamples:%n",
        footer = {"  oomsim pressure",
                "  oomsim pressure --bootstrap 127.0.0.1:9092 --watch",
                "",
                "Exit status: 0 done (or stopped with Ctrl-C), 1 the cluster cannot be reached or has no pressure",
                "topic, 2 bad usage."})
final class PressureCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Option(names = "--watch", description = "Refresh the table in place until Ctrl-C.")
    boolean watch;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1",
            description = "With --watch: seconds between two refreshes (default: ${DEFAULT-VALUE}).")
    double intervalSeconds;

    @Override
    public Integer call() {
        if (!(intervalSeconds > 0) || intervalSeconds > 3600) {
            throw new UsageFailure("--interval must be more than 0 and at most 3600 seconds, not " + intervalSeconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TopicSpec<String, PressureView> pressure = broker.topics().pressure();
        broker.requireTopic(pressure.name());
        boolean inPlace = watch && System.console() != null;
        try (Interruption interruption = Interruption.install();
             PressureFeed feed = new PressureFeed(broker.bootstrap, pressure, err, "oomsim pressure")) {
            while (!interruption.requested() && !feed.reachedEnd()) {
                feed.poll(Duration.ofMillis(200));
            }
            print(out, feed, inPlace, false);
            Duration interval = Duration.ofMillis((long) (intervalSeconds * 1000));
            while (watch && !interruption.requested()) {
                long until = System.nanoTime() + interval.toNanos();
                boolean changed = false;
                while (!interruption.requested() && System.nanoTime() < until) {
                    changed |= feed.poll(Duration.ofNanos(Math.max(1, until - System.nanoTime())));
                }
                if (changed) {
                    print(out, feed, inPlace, true);
                }
            }
        }
        return ExitCodes.OK;
    }

    /** Prints the table: over the last one when in place, else after a blank line when it is not the first. */
    private static void print(PrintWriter out, PressureFeed feed, boolean inPlace, boolean again) {
        if (inPlace) {
            out.print("\033[H\033[2J");
        } else if (again) {
            out.println();
        }
        out.print(PressureTable.render(feed.views()));
        out.flush();
    }
}
