package dev.oomsim.kernel.oom;

import java.util.List;

/**
 * What one {@code out_of_memory} call did: its constraint and totalpages (null when it returned before computing
 * them), the chosen task (null when none), the tasks killed (memdie) and signalled (sharers), whether the search
 * aborted at an existing victim or exiting task, the return value, and the panic text if it panicked.
 */
public record OomOutcome(OomConstraint constraint, Long totalpages, Chosen chosen, List<Integer> killed,
        List<Integer> signalled, boolean aborted, boolean returned, String panic) {

    /** Copies the lists. */
    public OomOutcome {
        killed = List.copyOf(killed);
        signalled = List.copyOf(signalled);
    }
}
