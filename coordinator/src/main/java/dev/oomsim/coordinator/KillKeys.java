package dev.oomsim.coordinator;

import java.util.Objects;

/**
 * Keys of the {@code recent-kills} store: the kill's record timestamp as 13 zero-padded decimal digits of epoch ms,
 * {@code /}, the request id. Strings sort as the timestamps do, so a range scan from {@link #from(long)} answers a
 * {@code since} query and the first key is the oldest kill.
 */
public final class KillKeys {

    private static final int DIGITS = 13;
    private static final long MAX_MS = 9_999_999_999_999L;

    private KillKeys() {
    }

    /** The key of the kill at {@code timestampMs} (0..9999999999999) decided for {@code requestId}. */
    public static String of(long timestampMs, String requestId) {
        Objects.requireNonNull(requestId, "requestId");
        return prefix(timestampMs) + "/" + requestId;
    }

    /** The smallest key of any kill at or after {@code sinceMs}: the lower bound of a range scan. */
    public static String from(long sinceMs) {
        return prefix(Math.max(0, sinceMs)) + "/";
    }

    /** The timestamp a key holds. */
    public static long timestampOf(String key) {
        if (key == null || key.length() <= DIGITS || key.charAt(DIGITS) != '/') {
            throw new IllegalArgumentException("not a recent-kills key: '" + key + "'");
        }
        return Long.parseLong(key.substring(0, DIGITS));
    }

    private static String prefix(long timestampMs) {
        if (timestampMs < 0 || timestampMs > MAX_MS) {
            throw new IllegalArgumentException("timestamp must be within 0.." + MAX_MS + " ms, was " + timestampMs);
        }
        return String.format("%013d", timestampMs);
    }
}
