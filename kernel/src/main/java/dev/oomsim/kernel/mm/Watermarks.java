package dev.oomsim.kernel.mm;

/** Mirrors {@code zone->watermark[WMARK_MIN..WMARK_HIGH]}, in pages. */
public record Watermarks(long minPages, long lowPages, long highPages) {

    /** Validates that no mark is negative. */
    public Watermarks {
        if (minPages < 0) {
            throw new IllegalArgumentException("watermarks.min: must be >= 0, got " + minPages);
        }
        if (lowPages < 0) {
            throw new IllegalArgumentException("watermarks.low: must be >= 0, got " + lowPages);
        }
        if (highPages < 0) {
            throw new IllegalArgumentException("watermarks.high: must be >= 0, got " + highPages);
        }
    }

    /** The mark selected by {@code alloc_flags & ALLOC_WMARK_MASK} (0 min, 1 low, 2 high). */
    public long mark(int index) {
        return switch (index) {
            case 0 -> minPages;
            case 1 -> lowPages;
            case 2 -> highPages;
            default -> throw new IllegalArgumentException("watermark index: expected 0..2, got " + index);
        };
    }
}
