package dev.oomsim.lock;

import dev.oomsim.schemas.LockClaim;
import dev.oomsim.schemas.serde.AvroEventSerde;

/** The production claim codec: the schemas module's Avro {@code LockClaim} in single-object encoding. */
public enum AvroClaimCodec implements ClaimCodec {
    INSTANCE;

    private final AvroEventSerde<LockClaim> serde = AvroEventSerde.of(LockClaim.class);

    @Override
    public byte[] encode(ClaimValue value) {
        return serde.encode(LockClaim.newBuilder().setContender(value.contender()).setIncarnation(value.incarnation())
                .setRequestId(value.requestId()).setLeaseMs(value.leaseMs()).build());
    }

    @Override
    public ClaimValue decode(byte[] bytes) {
        LockClaim claim = serde.decode(bytes);
        if (claim == null) {
            throw new IllegalArgumentException("a tombstone is not a claim");
        }
        return new ClaimValue(claim.getContender(), claim.getIncarnation(), claim.getRequestId(), claim.getLeaseMs());
    }
}
