package dev.oomsim.agent;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.schemas.MemoryOp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What an agent counts for its operators, on {@code /metrics}: requests by operation, outcomes by kind and by the
 * step that ended them (the last step of docs/scenario-format.md's {@code path}: {@code fastpath:ok},
 * {@code nopage}, …), kills by constraint, the wait for the cluster {@code oom_lock} by outcome, memory calls sent to
 * and served for other nodes by operation, and each request's time in the agent. Counted live only: a replay repeats
 * nothing.
 *
 * <p>Each meter is registered once, on its first use, and kept: {@code Builder.register} is a registry lookup (a new
 * id, its tags sorted and hashed) on every call, several per request. Called from the one thread of the agent that runs
 * at a time (the command-log loop, or the request it handed control to), so the caches are plain maps.
 */
final class AgentMeters {
    private final MeterRegistry registry;
    private final String node;
    private final Map<String, Counter> requests = new HashMap<>();
    private final Map<String, Map<String, Counter>> outcomes = new HashMap<>();
    private final Map<String, Timer> durations = new HashMap<>();
    private final Map<String, Counter> kills = new HashMap<>();
    private final Map<Boolean, Timer> lockWaits = new HashMap<>();
    private final Map<String, Map<MemoryOp, Counter>> memoryCalls = new HashMap<>();

    AgentMeters(MeterRegistry registry, int nodeId) {
        this.registry = registry;
        this.node = String.valueOf(nodeId);
    }

    void request(String op) {
        requests.computeIfAbsent(op, o -> Counter.builder("oomsim.agent.requests")
                .description("Requests started, by operation")
                .tag("node", node).tag("op", o).register(registry)).increment();
    }

    /** A request of {@code kind} ended after {@code inAgent}; {@code path} is its allocation path (empty for none). */
    void outcome(String kind, List<String> path, Duration inAgent) {
        String end = path.isEmpty() ? "none" : path.get(path.size() - 1);
        outcomes.computeIfAbsent(kind, k -> new HashMap<>())
                .computeIfAbsent(end, e -> Counter.builder("oomsim.agent.outcomes")
                .description("Request outcomes, by kind and the path step that ended them")
                .tag("node", node).tag("kind", kind).tag("end", e).register(registry)).increment();
        durations.computeIfAbsent(kind, k -> Timer.builder("oomsim.agent.request.duration")
                .description("Wall time from a request's start to its outcome, calls to other nodes included")
                .tag("node", node).tag("kind", k).register(registry)).record(inAgent);
    }

    /** An OOM kill under {@code constraint} (the kernel's {@code enum oom_constraint} name). */
    void kill(String constraint) {
        kills.computeIfAbsent(constraint, c -> Counter.builder("oomsim.agent.kills")
                .description("OOM kills decided on this node, by constraint")
                .tag("node", node).tag("constraint", c).register(registry)).increment();
    }

    void lockWait(boolean granted, Duration waited) {
        lockWaits.computeIfAbsent(granted, g -> Timer.builder("oomsim.agent.lock.wait")
                .description("From a request's trylock of the cluster oom_lock to its journaled outcome")
                .tag("node", node).tag("granted", String.valueOf(g)).register(registry)).record(waited);
    }

    void memoryCall(String direction, MemoryOp op) {
        memoryCalls.computeIfAbsent(direction, d -> new EnumMap<>(MemoryOp.class)).computeIfAbsent(op, o -> Counter
                .builder("oomsim.agent.memory.calls")
                .description("Memory calls on other nodes' zones: sent by this node's requests, served for others")
                .tag("node", node).tag("direction", direction).tag("op", o.name()).register(registry)).increment();
    }
}
