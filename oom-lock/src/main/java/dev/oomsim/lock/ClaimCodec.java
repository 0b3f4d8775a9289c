package dev.oomsim.lock;

/**
 * Turns a claim value into the bytes of a lock-topic record and back. The production codec is the
 * Avro {@code LockClaim} of the schemas module; the lock itself knows only this seam.
 */
public interface ClaimCodec {

    byte[] encode(ClaimValue value);

    /** @throws IllegalArgumentException when the bytes are not a claim */
    ClaimValue decode(byte[] bytes);
}
