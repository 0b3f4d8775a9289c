package dev.oomsim.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that are not a decodable event of the expected type. Never a silent null: the failure names what was
 * expected and why it failed, so a consumer can send the record to dead-letter with that reason.
 */
public final class EventDecodingException extends SerializationException {
    private static final long serialVersionUID = 1L;

    private final DecodeFailure failure;
    private final String expectedType;

    public EventDecodingException(DecodeFailure failure, String expectedType, String detail, Throwable cause) {
        super("cannot decode " + expectedType + ": " + failure.name().toLowerCase(java.util.Locale.ROOT)
                .replace('_', ' ')
                + " (" + detail + ")", cause);
        this.failure = failure;
        this.expectedType = expectedType;
    }

    public DecodeFailure failure() {
        return failure;
    }

    public String expectedType() {
        return expectedType;
    }
}
