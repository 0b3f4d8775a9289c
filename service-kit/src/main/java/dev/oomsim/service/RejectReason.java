package dev.oomsim.service;

import java.util.Objects;

/**
 * Why an input record was rejected.
 *
 * @param category which of the closed set of reasons; its label is stored and counted
 * @param message  the specific, human-readable reason stored with the dead letter
 */
public record RejectReason(DeadLetterCategory category, String message) {

    public RejectReason {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(message, "message");
    }
}
