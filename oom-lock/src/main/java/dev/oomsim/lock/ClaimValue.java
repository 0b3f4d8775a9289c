package dev.oomsim.lock;

import java.util.Objects;

/** The value of a claim record: who claims, under which request, for how long. */
public record ClaimValue(String contender, String incarnation, String requestId, long leaseMs) {

    public ClaimValue {
        Objects.requireNonNull(contender, "contender");
        Objects.requireNonNull(incarnation, "incarnation");
        Objects.requireNonNull(requestId, "requestId");
        if (leaseMs <= 0) {
            throw new IllegalArgumentException("leaseMs must be > 0: " + leaseMs);
        }
    }
}
