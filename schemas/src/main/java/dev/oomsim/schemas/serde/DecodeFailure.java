package dev.oomsim.schemas.serde;

/** Why bytes could not be decoded into an event. Each is a distinct dead-letter reason. */
public enum DecodeFailure {
    /** The bytes do not start with the Avro single-object marker {@code C3 01}: not an oomsim event at all. */
    NOT_SINGLE_OBJECT_ENCODED,
    /** A single-object header whose schema fingerprint matches no known version of any oomsim event. */
    UNKNOWN_SCHEMA,
    /** A valid header of a different oomsim event type than the topic carries (e.g. a KillEvent on alloc-requests). */
    WRONG_EVENT_TYPE,
    /** The payload ends before the record does. */
    TRUNCATED,
    /**
     * The payload is not a valid encoding of the writer schema (bad union index, negative length, trailing bytes, ...).
     */
    CORRUPT
}
