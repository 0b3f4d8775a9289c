package dev.oomsim.agent;

import dev.oomsim.service.RejectReason;

/** A command that is bad input, with the reason it goes to dead-letter. */
final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    final transient RejectReason reason;

    Rejected(String category, String message) {
        super(message, null, false, false);
        this.reason = new RejectReason(category, message);
    }
}
