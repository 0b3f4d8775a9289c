package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class LockRecordDecoderTest {

    private final LockRecordDecoder decoder = new LockRecordDecoder(TextClaimCodec.INSTANCE);
    private final LockKey key = new LockKey("oom_lock", "node-1", "i1");

    @Test
    void aValueIsAClaimAndNullIsATombstone() {
        byte[] value = TextClaimCodec.INSTANCE.encode(new ClaimValue("node-1", "i1", "r9", 500));

        assertThat(decoder.decode(3, 1_000, key.asString(), value))
                .isEqualTo(new LockRecord.ClaimRecord(3, 1_000, key, "r9", 500));
        assertThat(decoder.decode(4, 1_001, key.asString(), null))
                .isEqualTo(new LockRecord.Tombstone(4, 1_001, key));
    }

    @Test
    void malformedKeysValuesAndMismatchedContendersClaimNothingButMoveLogTime() {
        byte[] other = TextClaimCodec.INSTANCE.encode(new ClaimValue("node-2", "i1", "r9", 500));

        assertThat(decoder.decode(5, 1_002, "garbage", null)).isEqualTo(new LockRecord.Other(5, 1_002));
        assertThat(decoder.decode(6, 1_003, key.asString(), "x".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new LockRecord.Other(6, 1_003));
        assertThat(decoder.decode(7, 1_004, key.asString(), other)).isEqualTo(new LockRecord.Other(7, 1_004));
    }

    @Test
    void theAvroCodecRoundTripsAClaimAndRefusesOtherBytes() {
        ClaimValue claim = new ClaimValue("node-1", "i1", "r9", 500);
        byte[] bytes = AvroClaimCodec.INSTANCE.encode(claim);

        assertThat(AvroClaimCodec.INSTANCE.decode(bytes)).isEqualTo(claim);
        assertThat(new LockRecordDecoder(AvroClaimCodec.INSTANCE)
                .decode(1, 2, key.asString(), "x".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new LockRecord.Other(1, 2));
    }
}
