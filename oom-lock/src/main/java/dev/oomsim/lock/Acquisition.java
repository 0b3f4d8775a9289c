package dev.oomsim.lock;

import java.util.Objects;
import java.util.Optional;

/**
 * The fold saw the holder change to {@code holder} at {@code offset}: its rank is the fencing
 * token. {@code expiredPredecessor} is the previous holder when this is a takeover after that
 * holder's lease ran out (rather than a release or withdrawal).
 */
public record Acquisition(Claim holder, long offset, long logTimeMs, Optional<Claim> expiredPredecessor) {

    public Acquisition {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(expiredPredecessor, "expiredPredecessor");
    }

    /** The fencing token of this acquisition: the holder's rank. */
    public long token() {
        return holder.rank();
    }

    public boolean isTakeoverAfterExpiry() {
        return expiredPredecessor.isPresent();
    }
}
