package dev.oomsim.agent;

import java.time.Duration;
import java.util.List;

import dev.oomsim.kernel.oom.OomReport;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.schemas.MemoryOp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What an agent counts for its operators, on {@code /metrics}: requests by operation, outcomes by kind and by the
 * step that ended them (the last step of scenario-format.md's {@code path}: {@code fastpath:ok}, {@code nopage}, …),
 * kills by constraint, the wait for the cluster {@code oom_lock} by outcome, memory calls sent to and served for other
 * nodes by operation, and each request's time in the agent. Counted live only: a replay repeats nothing.
 */
final class AgentMeters {
    private final MeterRegistry registry;
    private final String node;

    AgentMeters(MeterRegistry registry, int nodeId) {
        this.registry = registry;
        this.node = String.valueOf(nodeId);
    }

    void request(String op) {
        Counter.builder("oomsim.agent.requests").description("Requests started, by operation")
                .tag("node", node).tag("op", op).register(registry).increment();
    }

    void outcome(EventResult result, Duration inAgent) {
        List<String> path = result instanceof EventResult.Alloc a ? a.path() : List.of();
        String end = path.isEmpty() ? "none" : path.get(path.size() - 1);
        Counter.builder("oomsim.agent.outcomes").description("Request outcomes, by kind and the path step that ended them")
                .tag("node", node).tag("kind", result.kind()).tag("end", end).register(registry).increment();
        Timer.builder("oomsim.agent.request.duration").description("Wall time from a request's start to its outcome, calls to other nodes included")
                .tag("node", node).tag("kind", result.kind()).register(registry).record(inAgent);
    }

    void kill(OomReport report) {
        Counter.builder("oomsim.agent.kills").description("OOM kills decided on this node, by constraint")
                .tag("node", node).tag("constraint", String.valueOf(report.outcome().constraint())).register(registry).increment();
    }

    void lockWait(boolean granted, Duration waited) {
        Timer.builder("oomsim.agent.lock.wait").description("From a request's trylock of the cluster oom_lock to its journaled outcome")
                .tag("node", node).tag("granted", String.valueOf(granted)).register(registry).record(waited);
    }

    void memoryCall(String direction, MemoryOp op) {
        Counter.builder("oomsim.agent.memory.calls").description("Memory calls on other nodes' zones: sent by this node's requests, served for others")
                .tag("node", node).tag("direction", direction).tag("op", op.name()).register(registry).increment();
    }
}
