package dev.oomsim.service;

import java.util.Objects;

/**
 * Why an input record was rejected.
 *
 * @param category short, stable label for metrics and filtering (e.g. {@code undecodable}, {@code invalid-order},
 *                 {@code unknown-pid}, {@code stale-fencing-token})
 * @param message  the specific, human-readable reason stored with the dead letter
 */
public record RejectReason(String category, String message) {

    public RejectReason {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(message, "message");
        if (!category.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("category must be lower-case words joined by '-', was '" + category + "'");
        }
    }
}
