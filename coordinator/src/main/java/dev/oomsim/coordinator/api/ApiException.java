package dev.oomsim.coordinator.api;

import java.util.Objects;

/** An API answer that is an error: its HTTP status and the {@code {code, message}} body (docs/coordinator.md). */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = Objects.requireNonNull(code, "code");
    }

    public ApiException(int status, String code, String message, Throwable cause) {
        this(status, code, message);
        initCause(cause);
    }

    /** 400: a query parameter or path segment that does not parse or is out of range. */
    public static ApiException badParameter(String message) {
        return new ApiException(400, "bad_parameter", message);
    }

    /** 404: a node that never reported. */
    public static ApiException unknownNode(int node) {
        return new ApiException(404, "unknown_node", "node " + node + " never reported a state");
    }

    /** 404: no such path or nothing folded there yet. */
    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    /** 503: Streams is not running or a store is still restoring. */
    public static ApiException restoring(String message, Throwable cause) {
        return new ApiException(503, "restoring", message, cause);
    }

    /** 502: the instance owning the key did not answer. */
    public static ApiException ownerUnreachable(String message, Throwable cause) {
        return new ApiException(502, "owner_unreachable", message, cause);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
