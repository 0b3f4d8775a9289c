package dev.oomsim.kernel.mm;

import java.util.Arrays;

/**
 * A bitmap over {@code [0, size)} whose 64 Ki-bit chunks are allocated on first set, so a mostly allocated zone costs
 * almost nothing. Owned by the {@link FreeArea} that holds it (single-threaded).
 */
final class SparseBitmap {
    private static final int CHUNK_BITS = 16;
    private static final int CHUNK_WORDS = (1 << CHUNK_BITS) >>> 6;
    private final long size;
    private final long[][] chunks;

    SparseBitmap(long size) {
        this.size = size;
        this.chunks = new long[(int) ((size + (1L << CHUNK_BITS) - 1) >>> CHUNK_BITS)][];
    }

    /** The chunk holding bit {@code i}, or null when {@code i} is out of range or its chunk was never set. */
    private long[] chunkOf(long i) {
        return i < 0 || i >= size ? null : chunks[(int) (i >>> CHUNK_BITS)];
    }

    boolean get(long i) {
        long[] c = chunkOf(i);
        if (c == null) {
            return false;
        }
        int bit = (int) (i & ((1 << CHUNK_BITS) - 1));
        return (c[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    /** Sets bit {@code i}; returns false (and changes nothing) when it was already set. */
    boolean testAndSet(long i) {
        int ci = (int) (i >>> CHUNK_BITS);
        long[] c = chunks[ci];
        if (c == null) {
            c = new long[CHUNK_WORDS];
            chunks[ci] = c;
        }
        int bit = (int) (i & ((1 << CHUNK_BITS) - 1));
        long m = 1L << (bit & 63);
        long w = c[bit >>> 6];
        if ((w & m) != 0) {
            return false;
        }
        c[bit >>> 6] = w | m;
        return true;
    }

    /** Clears bit {@code i}; returns false (and changes nothing) when it was not set. */
    boolean testAndClear(long i) {
        long[] c = chunkOf(i);
        if (c == null) {
            return false;
        }
        int bit = (int) (i & ((1 << CHUNK_BITS) - 1));
        long m = 1L << (bit & 63);
        long w = c[bit >>> 6];
        if ((w & m) == 0) {
            return false;
        }
        c[bit >>> 6] = w & ~m;
        return true;
    }

    /** Clears every bit and drops every chunk. */
    void clear() {
        Arrays.fill(chunks, null);
    }

    void set(long i, boolean value) {
        int ci = (int) (i >>> CHUNK_BITS);
        long[] c = chunks[ci];
        if (c == null) {
            if (!value) {
                return;
            }
            c = new long[CHUNK_WORDS];
            chunks[ci] = c;
        }
        int bit = (int) (i & ((1 << CHUNK_BITS) - 1));
        if (value) {
            c[bit >>> 6] |= 1L << (bit & 63);
        } else {
            c[bit >>> 6] &= ~(1L << (bit & 63));
        }
    }
}
