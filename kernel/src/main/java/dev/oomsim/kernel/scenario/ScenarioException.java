package dev.oomsim.kernel.scenario;

/**
 * A scenario that cannot be read or run: the message names the field by its path ({@code
 * nodes[0].zones[1].managed_pages}).
 */
public final class ScenarioException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String path;

    /** An error at {@code path}. */
    public ScenarioException(String path, String message) {
        super(path + ": " + message);
        this.path = path;
    }

    /** An error at {@code path} caused by {@code cause}. */
    public ScenarioException(String path, String message, Throwable cause) {
        super(path + ": " + message, cause);
        this.path = path;
    }

    /** The path of the offending field. */
    public String path() {
        return path;
    }
}
