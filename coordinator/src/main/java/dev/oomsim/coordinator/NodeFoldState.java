package dev.oomsim.coordinator;

/** What a node's fold keeps besides its view: windows, PSI periods, totals. Fields only: stored as JSON. */
final class NodeFoldState {

    long streamTimeMs = Long.MIN_VALUE;
    long requests;
    long failedAllocations;
    long mayOomCalls;
    long retries;
    long stallMs;
    /** By {@link PathClass} ordinal. */
    long[] totals = new long[PathClass.values().length];
    TumblingCounts rates;
    PsiFold psi = new PsiFold();
    KillFold kills = new KillFold();

    NodeFoldState() {
    }

    NodeFoldState(long rateWindowMs) {
        this.rates = new TumblingCounts(rateWindowMs, PathClass.values().length, 1);
    }
}
