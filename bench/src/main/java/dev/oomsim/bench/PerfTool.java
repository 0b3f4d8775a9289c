package dev.oomsim.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.oomsim.broker.EmbeddedKafkaBroker;
import org.apache.kafka.tools.ConsumerPerformance;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * Runs Kafka's own perf tools ({@code kafka-tools}) in this JVM and reads their results from what they print.
 *
 * <p>The tools only have a {@code main} that prints to {@code System.out}, so a run swaps {@code System.out} for a
 * buffer (and the default locale for {@link Locale#ROOT}, so numbers print with a dot) and restores both
 * afterwards. Runs are serialised. A tool that calls {@code Exit.exit} on bad arguments cannot take the JVM down:
 * {@link EmbeddedKafkaBroker}'s static initialiser (run before any broker exists) turns it into an exception.
 */
public final class PerfTool {

    private static final Object STDOUT_LOCK = new Object();

    private PerfTool() {
    }

    /** One producer, no throttle: {@code ProducerPerformance} with acks=all and linger 5 ms. */
    public static ProducerPerfResult produce(String bootstrapServers, String topic, long records, int recordSizeBytes) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-server", bootstrapServers,
                "--topic", topic,
                "--num-records", Long.toString(records),
                "--record-size", Integer.toString(recordSizeBytes),
                "--throughput", "-1",
                "--command-property", "acks=all", "linger.ms=5", "client.id=oomsim-bench-producer"));
        String out = run("ProducerPerformance", () -> ProducerPerformance.main(args.toArray(String[]::new)));
        return ProducerPerfResult.parse(out);
    }

    /** One consumer in a new group reading {@code records} from the start of {@code topic}. */
    public static ConsumerPerfResult consume(String bootstrapServers, String topic, long records, String groupId) {
        String[] args = {
            "--bootstrap-server", bootstrapServers,
            "--topic", topic,
            "--num-records", Long.toString(records),
            "--group", groupId,
            "--timeout", "30000",
            "--hide-header",
        };
        String out = run("ConsumerPerformance", () -> ConsumerPerformance.main(args));
        return ConsumerPerfResult.parse(out);
    }

    @FunctionalInterface
    private interface ToolMain {
        void run() throws Exception;
    }

    private static String run(String tool, ToolMain main) {
        initialiseExitGuard();
        synchronized (STDOUT_LOCK) {
            PrintStream original = System.out;
            Locale originalLocale = Locale.getDefault();
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8);
            System.setOut(capture);
            Locale.setDefault(Locale.ROOT);
            try {
                main.run();
            } catch (Exception e) {
                capture.flush();
                throw new BaselineException(tool + " failed: " + e.getMessage() + "\n"
                        + tail(buffer.toString(StandardCharsets.UTF_8)), e);
            } finally {
                System.setOut(original);
                Locale.setDefault(originalLocale);
            }
            capture.flush();
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    private static void initialiseExitGuard() {
        try {
            Class.forName(EmbeddedKafkaBroker.class.getName(), true, PerfTool.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("embedded broker not on the classpath", e);
        }
    }

    /** The last lines of a tool's output, for error messages. */
    static String tail(String output) {
        String[] lines = output.split("\\R");
        int from = Math.max(0, lines.length - 15);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
