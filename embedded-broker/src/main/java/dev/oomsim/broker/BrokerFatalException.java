package dev.oomsim.broker;

/** The embedded broker could not be formatted or started, or hit a fault that would have halted the JVM. */
public final class BrokerFatalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrokerFatalException(String message) {
        super(message);
    }

    public BrokerFatalException(String message, Throwable cause) {
        super(message, cause);
    }
}
