package dev.oomsim.bench.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.oomsim.agent.ClusterLock;
import dev.oomsim.agent.CompactedTopicClusterLock;
import dev.oomsim.agent.KernelNode;
import dev.oomsim.agent.runtime.CommandLog;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.topics.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Real node agents in this JVM, one thread each, as {@code DistributedSimulation} starts them: for each node its own
 * cluster {@code oom_lock} contender, a {@link KernelNode} booted from the machine, and the exactly-once
 * {@link CommandLog} over the node's partition. The topics must exist.
 */
public final class InProcessAgents implements AutoCloseable {

    /** The agents' consumer poll timeout: the service's default ({@code poll.timeout.ms}). */
    public static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final List<CommandLog> logs = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<ClusterLock> locks = new ArrayList<>();

    private InProcessAgents() {
    }

    /** Starts the agents of {@code nodes} of {@code machine}; a machine an agent refuses fails here, nothing left running. */
    public static InProcessAgents start(Scenario machine, List<Integer> nodes, String bootstrapServers, Topics topics) {
        return start(machine, nodes, bootstrapServers, topics, new SimpleMeterRegistry());
    }

    /** As {@link #start(Scenario, List, String, Topics)}, every agent's meters (tagged by node) in {@code registry}. */
    public static InProcessAgents start(Scenario machine, List<Integer> nodes, String bootstrapServers, Topics topics,
                                        MeterRegistry registry) {
        InProcessAgents agents = new InProcessAgents();
        List<KernelNode> kernelNodes = new ArrayList<>();
        try {
            for (int node : nodes) {
                ClusterLock lock = new CompactedTopicClusterLock(bootstrapServers, topics.oomLock().name(), "node-" + node,
                        registry);
                agents.locks.add(lock);
                kernelNodes.add(new KernelNode(node, machine, topics, lock, registry));
            }
        } catch (RuntimeException e) {
            agents.close();
            throw e;
        }
        for (int i = 0; i < nodes.size(); i++) {
            agents.logs.add(new CommandLog(new CommandLog.Settings(bootstrapServers, topics, nodes.get(i), POLL_TIMEOUT,
                    "bench-node-agent-" + nodes.get(i)), kernelNodes.get(i), registry));
        }
        for (int i = 0; i < agents.logs.size(); i++) {
            Thread t = new Thread(agents.logs.get(i), "bench-node-agent-" + nodes.get(i));
            t.setDaemon(true);
            t.start();
            agents.threads.add(t);
        }
        return agents;
    }

    @Override
    public void close() {
        logs.forEach(CommandLog::close);
        for (Thread t : threads) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        locks.forEach(ClusterLock::close);
    }
}
