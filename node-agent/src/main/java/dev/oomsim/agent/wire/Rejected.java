package dev.oomsim.agent.wire;

import dev.oomsim.service.DeadLetterCategory;
import dev.oomsim.service.RejectReason;

/** A command that is bad input, with the reason it goes to dead-letter. */
public final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient RejectReason reason;

    public Rejected(DeadLetterCategory category, String message) {
        super(message, null, false, false);
        this.reason = new RejectReason(category, message);
    }

    /** The reason the dead letter carries. */
    public RejectReason reason() {
        return reason;
    }
}
