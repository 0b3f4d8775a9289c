package dev.oomsim.lock;

import java.nio.charset.StandardCharsets;

/** A plain-text codec for tests of the decoding seam; production uses the Avro LockClaim. */
enum TextClaimCodec implements ClaimCodec {
    INSTANCE;

    @Override
    public byte[] encode(ClaimValue value) {
        return String.join("|", value.contender(), value.incarnation(), value.requestId(),
                Long.toString(value.leaseMs()))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ClaimValue decode(byte[] bytes) {
        String[] parts = new String(bytes, StandardCharsets.UTF_8).split("\\|");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not a claim");
        }
        return new ClaimValue(parts[0], parts[1], parts[2], Long.parseLong(parts[3]));
    }
}
