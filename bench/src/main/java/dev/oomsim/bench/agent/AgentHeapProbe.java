package dev.oomsim.bench.agent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import dev.oomsim.agent.AgentConfig;
import dev.oomsim.agent.NodeAgent;

/**
 * A node agent service in a JVM of its own whose heap the bench can read: {@code java … AgentHeapProbe
 * settings.properties} starts {@link NodeAgent} exactly as its own {@code main} does, prints {@value #LIVE} once the
 * agent serves live commands, and then answers on stdout, one line per command read from stdin: {@code heap} →
 * {@value #HEAP_PREFIX}{@code <bytes>}, the heap in use after full collections (the least of three); {@code stop} →
 * closes the agent and exits. Logging goes to stderr.
 */
public final class AgentHeapProbe {

    public static final String LIVE = "oomsim-heap-probe live";
    public static final String HEAP_PREFIX = "oomsim-heap-probe heap ";
    private static final Duration LIVE_TIMEOUT = Duration.ofSeconds(60);

    private AgentHeapProbe() {
    }

    public static void main(String[] args) throws Exception {
        AgentConfig config = AgentConfig.load(Path.of(args[0]), Map.of());
        try (NodeAgent agent = new NodeAgent(config).start()) {
            long deadline = System.nanoTime() + LIVE_TIMEOUT.toNanos();
            while (!agent.health().up()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the agent was not live within " + LIVE_TIMEOUT.toSeconds() + " s");
                }
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
            System.out.println(LIVE);
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
                if (line.equals("heap")) {
                    System.out.println(HEAP_PREFIX + settledHeapBytes());
                    System.out.flush();
                }
            }
        }
    }

    /** Heap in use after full collections: the least of three, so garbage freed by the second one counts too. */
    public static long settledHeapBytes() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
