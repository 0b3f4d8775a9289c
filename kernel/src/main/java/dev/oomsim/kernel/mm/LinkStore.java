package dev.oomsim.kernel.mm;

/**
 * The free-list links that {@code struct page} carries in the kernel ({@code page->lru}), without page objects: a
 * fixed-width array of small unsigned integers ({@code width} bits each, just enough for the largest key stored),
 * packed into {@code long} words and cut into chunks of {@value #CHUNK_ENTRIES} entries that are allocated on first
 * write, so a zone whose free lists never leave bulk-loaded runs costs nothing. Reading an entry that was never written
 * is a bug of the caller. Owned by the {@link Zone} whose free areas use it (single-threaded).
 */
final class LinkStore {
    private static final int CHUNK_SHIFT = 12;
    private static final int CHUNK_ENTRIES = 1 << CHUNK_SHIFT;

    private final int width;
    private final long mask;
    private final int chunkWords;
    private final long[][] chunks;

    /**
     * A store of {@code size} entries able to hold values {@code 0..maxValue}; both are capped at the int range (a
     * zone larger than 2^31 pages can be booted, but not linked beyond that; see {@link FreeArea}).
     */
    LinkStore(long size, long maxValue) {
        if (size < 0 || maxValue < 0) {
            throw new IllegalArgumentException("link store of " + size + " entries up to " + maxValue);
        }
        size = Math.min(size, 1L << 31);
        maxValue = Math.min(maxValue, Integer.MAX_VALUE);
        this.width = Math.max(1, 64 - Long.numberOfLeadingZeros(maxValue));
        this.mask = (1L << width) - 1;
        this.chunkWords = CHUNK_ENTRIES * width / 64;
        this.chunks = new long[(int) ((size + CHUNK_ENTRIES - 1) >>> CHUNK_SHIFT)][];
    }

    int get(int index) {
        long[] c = chunks[index >>> CHUNK_SHIFT];
        int bit = (index & (CHUNK_ENTRIES - 1)) * width;
        int word = bit >>> 6;
        int shift = bit & 63;
        long v = c[word] >>> shift;
        if (shift + width > 64) {
            v |= c[word + 1] << (64 - shift);
        }
        return (int) (v & mask);
    }

    void set(int index, int value) {
        int ci = index >>> CHUNK_SHIFT;
        long[] c = chunks[ci];
        if (c == null) {
            c = new long[chunkWords];
            chunks[ci] = c;
        }
        long v = value & mask;
        int bit = (index & (CHUNK_ENTRIES - 1)) * width;
        int word = bit >>> 6;
        int shift = bit & 63;
        c[word] = (c[word] & ~(mask << shift)) | (v << shift);
        if (shift + width > 64) {
            int low = 64 - shift;
            c[word + 1] = (c[word + 1] & ~(mask >>> low)) | (v >>> low);
        }
    }
}
