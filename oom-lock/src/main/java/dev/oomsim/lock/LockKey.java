package dev.oomsim.lock;

import java.util.Objects;

/**
 * The key of a claim on the lock topic, {@code <lock>/<contender>/<incarnation>}: each contender
 * incarnation has at most one claim, and a new incarnation at every start means a late record
 * from an old incarnation can never overwrite a new claim.
 */
public record LockKey(String lock, String contender, String incarnation) {

    private static final char SEPARATOR = '/';

    public LockKey {
        requirePart("lock", lock);
        requirePart("contender", contender);
        requirePart("incarnation", incarnation);
    }

    /** Parses {@code <lock>/<contender>/<incarnation>}; empty when the text is not of that form. */
    public static java.util.Optional<LockKey> parse(String text) {
        if (text == null) {
            return java.util.Optional.empty();
        }
        int first = text.indexOf(SEPARATOR);
        int second = first < 0 ? -1 : text.indexOf(SEPARATOR, first + 1);
        if (first <= 0 || second <= first + 1 || second == text.length() - 1
                || text.indexOf(SEPARATOR, second + 1) >= 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new LockKey(
                text.substring(0, first), text.substring(first + 1, second), text.substring(second + 1)));
    }

    /** The same contender under another incarnation. */
    public boolean isEarlierIncarnationOf(LockKey other) {
        return lock.equals(other.lock) && contender.equals(other.contender) && !incarnation.equals(other.incarnation);
    }

    /** The key as written to the topic. */
    public String asString() {
        return lock + SEPARATOR + contender + SEPARATOR + incarnation;
    }

    @Override
    public String toString() {
        return asString();
    }

    private static void requirePart(String field, String value) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty() || value.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException(field + " must be non-empty and contain no '/': '" + value + "'");
        }
    }
}
