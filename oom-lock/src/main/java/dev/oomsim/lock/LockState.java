package dev.oomsim.lock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The pure fold of one lock's records (docs/lock-protocol.md, "Fold"), applied in offset order.
 *
 * <ul>
 *   <li>a claim: that key's claim is now this record; rank = its offset; deadline = its append time + lease;</li>
 *   <li>a tombstone: that key has no claim;</li>
 *   <li>log time T = the append time of the record just folded;</li>
 *   <li>holder = the live claim (T &le; deadline) with the lowest rank; its rank is the fencing token.</li>
 * </ul>
 * The state is only the current claim of each key: there is no memory of claims that "lost", which
 * is what keeps the fold the same before and after compaction.
 *
 * <p>Not thread-safe: owned by the one thread that folds (the log's reader thread); other threads
 * read {@link #view()} snapshots.
 */
public final class LockState {

    private final String lock;
    private final Map<LockKey, Claim> byKey = new HashMap<>();
    private final TreeMap<Long, Claim> byRank = new TreeMap<>();
    private long logTimeMs = Long.MIN_VALUE;
    private long lastOffset = -1;
    private Claim holder;
    private long highestToken = -1;
    private View view = new View(List.of(), Long.MIN_VALUE, -1);

    /** A fold of the records of lock {@code lock}; records of other locks only move log time. */
    public LockState(String lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    public String lock() {
        return lock;
    }

    /**
     * Folds the next record.
     *
     * @return the acquisition when the holder changed to another claim at this record
     */
    public Optional<Acquisition> apply(LockRecord record) {
        Objects.requireNonNull(record, "record");
        if (record.offset() <= lastOffset) {
            throw new IllegalArgumentException("records must be folded in offset order: offset "
                    + record.offset() + " after " + lastOffset);
        }
        lastOffset = record.offset();
        logTimeMs = record.appendTimeMs();
        boolean claimsChanged = false;
        if (record instanceof LockRecord.ClaimRecord c && c.key().lock().equals(lock)) {
            Claim claim = new Claim(c.key(), c.requestId(), c.offset(), c.appendTimeMs(), c.leaseMs());
            Claim previous = byKey.put(c.key(), claim);
            if (previous != null) {
                byRank.remove(previous.rank());
            }
            byRank.put(claim.rank(), claim);
            claimsChanged = true;
        } else if (record instanceof LockRecord.Tombstone t && t.key().lock().equals(lock)) {
            Claim previous = byKey.remove(t.key());
            if (previous != null) {
                byRank.remove(previous.rank());
                claimsChanged = true;
            }
        }
        view = new View(claimsChanged ? List.copyOf(byRank.values()) : view.claims(), logTimeMs, lastOffset);

        Claim previousHolder = holder;
        Claim current = holderAt(logTimeMs).orElse(null);
        holder = current;
        if (current == null || (previousHolder != null && previousHolder.rank() == current.rank())) {
            return Optional.empty();
        }
        highestToken = Math.max(highestToken, current.rank());
        Optional<Claim> expired = Optional.ofNullable(previousHolder)
                .filter(p -> p.equals(byKey.get(p.key())) && !p.isLiveAt(logTimeMs));
        return Optional.of(new Acquisition(current, lastOffset, logTimeMs, expired));
    }

    /** The holder at the log time of the last folded record. */
    public Optional<Claim> holder() {
        return Optional.ofNullable(holder);
    }

    /** The live claim with the lowest rank at log time {@code t}. */
    public Optional<Claim> holderAt(long t) {
        for (Claim claim : byRank.values()) {
            if (claim.isLiveAt(t)) {
                return Optional.of(claim);
            }
        }
        return Optional.empty();
    }

    /** The current claim of every key, live or not. */
    public Map<LockKey, Claim> claims() {
        return Collections.unmodifiableMap(byKey);
    }

    /** The append time of the last folded record; {@link Long#MIN_VALUE} before the first. */
    public long logTimeMs() {
        return logTimeMs;
    }

    /** The offset of the last folded record; -1 before the first. */
    public long lastOffset() {
        return lastOffset;
    }

    /** The highest fencing token this fold has seen acquire the lock; -1 if none. */
    public long highestAcquiredToken() {
        return highestToken;
    }

    /** An immutable snapshot for other threads, replaced at every fold. */
    public View view() {
        return view;
    }

    /** Claims (sorted by rank), log time and offset of the fold after one record. */
    public record View(List<Claim> claims, long logTimeMs, long lastOffset) {

        public View {
            claims = List.copyOf(claims);
        }

        /** Whether a key other than {@code self} holds a claim that is live at log time {@code t}. */
        public boolean anotherLiveClaim(LockKey self, long t) {
            for (Claim claim : claims) {
                if (!claim.key().equals(self) && claim.isLiveAt(t)) {
                    return true;
                }
            }
            return false;
        }

        /** The live claim with the lowest rank at log time {@code t}. */
        public Optional<Claim> holderAt(long t) {
            for (Claim claim : claims) {
                if (claim.isLiveAt(t)) {
                    return Optional.of(claim);
                }
            }
            return Optional.empty();
        }

        /** The claims of {@code self}'s contender under other incarnations. */
        public List<Claim> earlierIncarnationsOf(LockKey self) {
            List<Claim> earlier = new ArrayList<>();
            for (Claim claim : claims) {
                if (claim.key().isEarlierIncarnationOf(self)) {
                    earlier.add(claim);
                }
            }
            return earlier;
        }
    }
}
