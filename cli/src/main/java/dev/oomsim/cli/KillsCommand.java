package dev.oomsim.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.serde.EventDecodingException;
import dev.oomsim.schemas.topics.TopicSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code oomsim kills}: the cluster's OOM kills as the kernel logged them, each with a line saying why. */
@Command(name = "kills", mixinStandardHelpOptions = true,
        description = {"Prints the stack's OOM kills as the kernel logged them, and why.",
                "Reads the kills topic of a running stack; prints the kernel's log lines for the",
                "event's profile, with one line under each kill: the top candidates and why this victim.",
                "Without --follow it stops at the last kill committed when it started."},
        footerHeading = "%nExamples:%n",
        footer = {"  oomsim kills --from-beginning",
                "  oomsim kills --bootstrap 127.0.0.1:9092 --follow",
                "  oomsim kills --from-beginning --format json | jq .explanation",
                "",
                "Exit status: 0 done (or stopped with Ctrl-C), 1 the cluster cannot be reached, has no kills topic or",
                "holds a record that is not a kill, 2 bad usage."})
final class KillsCommand implements Callable<Integer> {

    /** How the kills are printed. */
    enum Format {
        /** The kernel's log lines, then the explanation line. */
        DMESG,
        /** One JSON object per line: every field of the kill event and its explanation. */
        JSON
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Option(names = "--from-beginning", description = "Start at the first kill the topic holds (default: at its end).")
    boolean fromBeginning;

    @Option(names = "--follow", description = "Keep printing new kills until Ctrl-C.")
    boolean follow;

    @Option(names = "--format", paramLabel = "dmesg|json", defaultValue = "dmesg",
            description = "dmesg (default): kernel log lines and the explanation; json: one object per line.")
    Format format;

    @Override
    public Integer call() throws JsonProcessingException {
        if (!fromBeginning && !follow) {
            throw new UsageFailure("nothing to print: add --from-beginning for the kills so far, --follow for the"
                    + " kills to come, or both");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TopicSpec<Integer, KillEvent> kills = broker.topics().kills();
        broker.requireTopic(kills.name());
        long undecodable = 0;
        try (Interruption interruption = Interruption.install();
             TopicTail tail = new TopicTail(broker.bootstrap, kills.name(), fromBeginning)) {
            if (follow) {
                err.println("oomsim kills: following " + kills.name() + " on " + broker.bootstrap + " (Ctrl-C stops)");
                err.flush();
            }
            while (!interruption.requested() && (follow || !tail.reachedEnd())) {
                for (ConsumerRecord<byte[], byte[]> r : tail.poll(Duration.ofMillis(200))) {
                    KillEvent kill;
                    try {
                        kill = kills.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    } catch (EventDecodingException e) {
                        undecodable++;
                        err.println("oomsim kills: record " + TopicTail.where(r) + " is not a kill event: "
                                + e.getMessage());
                        continue;
                    }
                    if (kill == null) {
                        continue;
                    }
                    print(out, kill);
                }
                out.flush();
            }
        }
        err.flush();
        if (undecodable > 0) {
            throw new CommandFailure(undecodable + " record(s) of " + kills.name() + " are not kill events (see above):"
                    + " check that --topic-prefix names an oomsim stack of this version");
        }
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, KillEvent kill) throws JsonProcessingException {
        if (format == Format.JSON) {
            out.println(JSON.writeValueAsString(KillReport.tree(kill)));
        } else {
            out.print(KillReport.dmesg(kill));
        }
    }
}
