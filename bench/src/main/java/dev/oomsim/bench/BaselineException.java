package dev.oomsim.bench;

/** A baseline could not be measured: a perf tool failed, or the broker did not answer in time. */
public final class BaselineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BaselineException(String message) {
        super(message);
    }

    public BaselineException(String message, Throwable cause) {
        super(message, cause);
    }
}
