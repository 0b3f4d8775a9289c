package dev.oomsim.bench.live;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.oomsim.bench.agent.AgentHeapProbe;

/**
 * The line protocol with a heap probe in its own JVM ({@code AgentHeapProbe}, {@code CoordinatorHeapProbe}): its
 * stdout read line by line, a command written to its stdin, a line awaited by prefix with a deadline, and the child's
 * log shown when it exits instead of answering.
 *
 * @param child    the probe's JVM
 * @param lines    its stdout, line by line ({@link #readLines})
 * @param commands its stdin
 * @param who      how errors name it, e.g. "the agent's JVM"
 * @param log      the file its logging goes to
 * @param timeout  how long any one answer may take
 */
record ProbeChannel(Process child, BlockingQueue<String> lines, Writer commands, String who, Path log,
                    Duration timeout) {

    /** {@code child}'s stdout, line by line, read on a daemon thread named {@code thread}. */
    static BlockingQueue<String> readLines(Process child, String thread) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child is gone; await() reports it
            }
        }, thread);
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /** The next line starting with {@code prefix}; fails when the child exits or the deadline passes first. */
    String await(String prefix) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && !child.isAlive()) {
                throw new IllegalStateException(who + " exited with " + child.exitValue() + ": "
                        + Files.readString(log));
            }
        }
        throw new IllegalStateException("no '" + prefix + "' from " + who + " within " + timeout.toSeconds() + " s");
    }

    /** The child's heap in use after full GCs, in MiB: asked with {@code heap}, answered as a heap line. */
    double heapMib() throws IOException, InterruptedException {
        commands.write("heap\n");
        commands.flush();
        String line = await(AgentHeapProbe.HEAP_PREFIX);
        return Long.parseLong(line.substring(AgentHeapProbe.HEAP_PREFIX.length()).trim()) / (double) (1 << 20);
    }
}
