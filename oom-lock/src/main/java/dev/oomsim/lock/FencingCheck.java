package dev.oomsim.lock;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The fencing check of any consumer of kill events: a kill is applied only if its token is not
 * below the highest token seen acquiring the lock. Feed it acquisitions (e.g. from
 * {@link CompactedTopicLock#addAcquisitionListener}) and ask it about each kill's token.
 * Thread-safe.
 */
public final class FencingCheck {

    public static final String STALE_FENCING_TOKEN = "stale fencing token";

    private final AtomicLong highestSeen = new AtomicLong(-1);

    /** The lock was seen acquired with {@code token}. */
    public void observeAcquisition(long token) {
        highestSeen.accumulateAndGet(token, Math::max);
    }

    /** The highest token seen acquiring; -1 if none. */
    public long highestSeen() {
        return highestSeen.get();
    }

    /**
     * Accepts a token not below the highest seen acquisition (a higher one was granted too, so it
     * raises the highest seen); rejects an older one with reason {@value #STALE_FENCING_TOKEN}.
     */
    public Verdict accept(long token) {
        long highest = highestSeen.get();
        if (token < highest) {
            return new Verdict.Rejected(token, highest, STALE_FENCING_TOKEN);
        }
        observeAcquisition(token);
        return new Verdict.Accepted(token);
    }

    /** The outcome of {@link #accept(long)}. */
    public sealed interface Verdict {

        boolean accepted();

        record Accepted(long token) implements Verdict {
            @Override
            public boolean accepted() {
                return true;
            }
        }

        record Rejected(long token, long highestSeen, String reason) implements Verdict {
            @Override
            public boolean accepted() {
                return false;
            }
        }
    }
}
