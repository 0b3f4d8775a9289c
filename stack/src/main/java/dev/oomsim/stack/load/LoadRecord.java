package dev.oomsim.stack.load;

import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.TaskEvent;

/** One record a load produces, at a simulated time from the start of the workload. */
public sealed interface LoadRecord {

    /** Simulated nanoseconds from the start. */
    long atNanos();

    /** A change to the task table, for {@code task-events} keyed by pid. */
    record Task(long atNanos, TaskEvent event) implements LoadRecord {
    }

    /** A request for {@code node}'s agent, for {@code alloc-requests} keyed (and partitioned) by node. */
    record Request(long atNanos, int node, AllocRequest request) implements LoadRecord {
    }
}
