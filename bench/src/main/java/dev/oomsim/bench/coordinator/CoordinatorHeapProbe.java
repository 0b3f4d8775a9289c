package dev.oomsim.bench.coordinator;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import dev.oomsim.bench.agent.AgentHeapProbe;
import dev.oomsim.coordinator.CoordinatorService;
import dev.oomsim.schemas.topics.Topics;

/**
 * A coordinator service in a JVM of its own whose heap the bench can read: {@code java … CoordinatorHeapProbe
 * BOOTSTRAP TOPIC_PREFIX NODES STATE_DIR} starts {@link CoordinatorService} (127.0.0.1, a free port, the default
 * commit interval), prints {@value #LIVE}{@code <port>} once Streams is RUNNING, then answers one line per command on
 * stdin as {@link AgentHeapProbe} does: {@code heap} → {@value AgentHeapProbe#HEAP_PREFIX}{@code <bytes>} after full
 * collections; {@code stop} → closes the service and exits. Logging goes to stderr.
 */
public final class CoordinatorHeapProbe {

    public static final String LIVE = "oomsim-heap-probe coordinator live on port ";
    private static final Duration LIVE_TIMEOUT = Duration.ofSeconds(90);

    private CoordinatorHeapProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: CoordinatorHeapProbe BOOTSTRAP TOPIC_PREFIX NODES STATE_DIR");
        }
        Topics topics = new Topics(args[1], Integer.parseInt(args[2]));
        CoordinatorService.Spec spec = new CoordinatorService.Spec(args[0], CoordinatorBench.config(topics,
                args[1] + "coordinator"), "127.0.0.1", 0, Path.of(args[3]), CoordinatorBench.COMMIT_INTERVAL);
        try (CoordinatorService coordinator = new CoordinatorService(spec).start()) {
            long deadline = System.nanoTime() + LIVE_TIMEOUT.toNanos();
            while (!coordinator.isReady()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the coordinator was not RUNNING within "
                            + LIVE_TIMEOUT.toSeconds() + " s");
                }
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
            System.out.println(LIVE + coordinator.httpPort());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
                if (line.equals("heap")) {
                    System.out.println(AgentHeapProbe.HEAP_PREFIX + AgentHeapProbe.settledHeapBytes());
                    System.out.flush();
                }
            }
        }
    }
}
