package dev.oomsim.lock;

import java.util.Objects;
import java.util.Optional;

/**
 * Maps a raw lock-topic record (string key, value bytes or null) to what the fold sees. A key
 * that is not {@code <lock>/<contender>/<incarnation>}, or a value that does not decode or names
 * another contender than its key, becomes {@link LockRecord.Other}: it claims nothing but still
 * moves log time.
 */
public final class LockRecordDecoder {

    private final ClaimCodec codec;

    public LockRecordDecoder(ClaimCodec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    public LockRecord decode(long offset, long appendTimeMs, String key, byte[] value) {
        Optional<LockKey> parsed = LockKey.parse(key);
        if (parsed.isEmpty()) {
            return new LockRecord.Other(offset, appendTimeMs);
        }
        LockKey lockKey = parsed.get();
        if (value == null) {
            return new LockRecord.Tombstone(offset, appendTimeMs, lockKey);
        }
        ClaimValue claim;
        try {
            claim = codec.decode(value);
        } catch (RuntimeException undecodable) {
            return new LockRecord.Other(offset, appendTimeMs);
        }
        if (!claim.contender().equals(lockKey.contender()) || !claim.incarnation().equals(lockKey.incarnation())) {
            return new LockRecord.Other(offset, appendTimeMs);
        }
        return new LockRecord.ClaimRecord(offset, appendTimeMs, lockKey, claim.requestId(), claim.leaseMs());
    }
}
