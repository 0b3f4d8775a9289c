package dev.oomsim.bench.lock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.oomsim.lock.CompactedTopicLock;
import dev.oomsim.lock.LockConfig;
import dev.oomsim.lock.contention.LockContender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * N lock contenders in N JVMs, as node agents run: each child JVM ({@link #main}) builds its own
 * {@link CompactedTopicLock} on the shared lock topic, says {@code READY}, waits for {@code GO} on its standard input
 * (so JVM start-up, client connection and the first fetch stay outside the timing), spends its share of the tryLocks
 * taking turns ({@link LockContender.Pacing#TAKE_TURNS}), and prints one {@code RESULT} line: grants, attempts and
 * the wall-clock instants of its first and last tryLock. The rate is every child's grants over the span from the
 * earliest start to the latest end (one host, one wall clock).
 */
public final class SeparateJvmContention {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

    private SeparateJvmContention() {
    }

    /** The figures of one run. */
    public record Result(int contenders, long tryLocks, long grants, double seconds, boolean everyContenderAcquired) {
        public double grantsPerSecond() {
            return grants / seconds;
        }
    }

    /**
     * Runs {@code contenders} child JVMs on the existing, empty compacted {@code topic}, sharing {@code tryLocks}
     * evenly. The children run on this JVM's class path.
     */
    public static Result run(String bootstrapServers, String topic, int contenders, long tryLocks, Duration tick,
                             int maxBackoffTicks) {
        // One lock built and closed here creates (or checks) the topic, so the children do not race to create it.
        LockConfig setup = LockConfig.defaults(topic, "setup").withBackoff(tick, maxBackoffTicks);
        CompactedTopicLock.builder(setup, Map.of("bootstrap.servers", bootstrapServers))
                .meterRegistry(new SimpleMeterRegistry()).start().close();
        List<Process> children = new ArrayList<>();
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            for (int i = 0; i < contenders; i++) {
                long share = tryLocks / contenders + (i < tryLocks % contenders ? 1 : 0);
                // The bench's logback config: without it a child logs every client line at DEBUG and runs 30× slower.
                children.add(new ProcessBuilder(java, "-Xmx128m",
                        "-Dlogback.configurationFile=oomsim-bench-logback.xml",
                        "-cp", System.getProperty("java.class.path"), SeparateJvmContention.class.getName(),
                        bootstrapServers, topic, "node-" + i, Long.toString(share), Long.toString(tick.toNanos()),
                        Integer.toString(maxBackoffTicks))
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start());
            }
            List<BufferedReader> outs = new ArrayList<>();
            for (Process p : children) {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                expectLine(out, p, "READY", READY_TIMEOUT);
                outs.add(out);
            }
            for (Process p : children) {
                PrintWriter in = new PrintWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8),
                        true);
                in.println("GO");
            }
            long grants = 0;
            long attempts = 0;
            long firstStart = Long.MAX_VALUE;
            long lastEnd = Long.MIN_VALUE;
            boolean everyone = true;
            for (int i = 0; i < children.size(); i++) {
                String[] f = expectLine(outs.get(i), children.get(i), "RESULT", RUN_TIMEOUT).split(" ");
                long g = Long.parseLong(f[1]);
                grants += g;
                attempts += Long.parseLong(f[2]);
                firstStart = Math.min(firstStart, Long.parseLong(f[3]));
                lastEnd = Math.max(lastEnd, Long.parseLong(f[4]));
                everyone &= g > 0;
            }
            return new Result(contenders, attempts, grants, (lastEnd - firstStart) / 1e6, everyone);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the contender JVMs: " + e.getMessage(), e);
        } finally {
            for (Process p : children) {
                p.destroy();
            }
            for (Process p : children) {
                try {
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.destroyForcibly();
                }
            }
        }
    }

    /** Reads lines until one starts with {@code tag}; a child that exits or stays silent past the timeout fails. */
    private static String expectLine(BufferedReader out, Process p, String tag, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) {
                throw new IllegalStateException("a contender JVM ended before " + tag + " (exit "
                        + (p.isAlive() ? "?" : p.exitValue()) + ")");
            }
            if (line.startsWith(tag)) {
                return line;
            }
        }
        throw new IllegalStateException("a contender JVM said no " + tag + " within " + timeout.toSeconds() + " s");
    }

    /**
     * One contender: {@code bootstrapServers topic contender tryLocks tickNanos maxBackoffTicks}. Prints
     * {@code READY}, waits for {@code GO}, prints {@code RESULT grants attempts startEpochMicros endEpochMicros}.
     */
    public static void main(String[] args) throws Exception {
        // Standard output is the protocol: logging (which defaults to the console) goes to standard error, so a chatty
        // client can never fill a pipe the parent is not reading yet and stall this contender mid-round.
        PrintStream protocol = System.out;
        System.setOut(System.err);
        String bootstrapServers = args[0];
        LockConfig config = LockConfig.defaults(args[1], args[2])
                .withBackoff(Duration.ofNanos(Long.parseLong(args[4])), Integer.parseInt(args[5]));
        long tryLocks = Long.parseLong(args[3]);
        try (CompactedTopicLock lock = CompactedTopicLock.builder(config, Map.of("bootstrap.servers", bootstrapServers))
                .meterRegistry(new SimpleMeterRegistry()).start();
             LockContender contender = new LockContender(lock, 0, new AtomicLong(tryLocks),
                     LockContender.Pacing.TAKE_TURNS)) {
            protocol.println("READY");
            protocol.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"GO".equals(in.readLine())) {
                return;
            }
            long start = epochMicros();
            contender.start().get(RUN_TIMEOUT.toMinutes(), TimeUnit.MINUTES);
            long end = epochMicros();
            protocol.println("RESULT " + contender.grants().size() + " " + contender.attempts() + " " + start + " "
                    + end);
            protocol.flush();
        }
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }
}
