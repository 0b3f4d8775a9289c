package dev.oomsim.stack.trace;

import java.util.Optional;

/**
 * Where a replay learns what the stack answered to its allocation requests: the model's block for a granted request
 * (its node, pfn and order, which a later free of the trace's page must name), or why there is none. The running
 * stack's answers come from {@link OutcomeWatch}; a test can answer by hand.
 */
public interface ReplayOutcomes {

    /** What the stack answered to one allocation request. */
    sealed interface AllocOutcome {
    }

    /** The model handed out {@code 2^order} pages at {@code pfn} on {@code node}. */
    record Granted(int node, long pfn, int order) implements AllocOutcome {
    }

    /** The model returned NULL, or the request was dead-lettered ({@code reason} says which). */
    record NotGranted(String reason) implements AllocOutcome {
    }

    /** Says that the answer to {@code requestId} will be asked for; called before the request is produced. */
    void expect(String requestId);

    /**
     * Waits for the answer to {@code requestId} (announced by {@link #expect}); empty when the replay was stopped
     * meanwhile. Throws {@link IllegalStateException} when no answer came within the implementation's deadline.
     */
    Optional<AllocOutcome> await(String requestId);

    /**
     * Waits until at least {@code requests} requests have been answered (outcomes and dead letters); false when the
     * replay was stopped meanwhile. Throws {@link IllegalStateException} when the answers stop coming for longer than
     * the implementation's deadline.
     */
    boolean awaitAnswered(long requests);
}
