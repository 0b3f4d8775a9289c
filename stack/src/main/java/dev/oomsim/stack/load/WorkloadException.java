package dev.oomsim.stack.load;

/** A workload file that cannot be read: the message names the file, the line and the field's path. */
public final class WorkloadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkloadException(String message) {
        super(message);
    }

    public WorkloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
