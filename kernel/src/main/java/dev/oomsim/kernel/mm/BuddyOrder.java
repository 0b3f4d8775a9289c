package dev.oomsim.kernel.mm;

/**
 * The buddy allocator's order bound. Imports nothing, so the image records read it without importing {@link Zone}
 * (which imports them).
 */
public final class BuddyOrder {
    /** {@code MAX_ORDER}: orders run {@code 0..MAX_ORDER-1}. */
    public static final int MAX_ORDER = 11;

    private BuddyOrder() {
    }
}
