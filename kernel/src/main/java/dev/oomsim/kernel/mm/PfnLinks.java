package dev.oomsim.kernel.mm;

import java.util.Arrays;

/**
 * Open-addressing (linear probing, backward-shift deletion) map from a block's pfn offset in its zone to its list
 * links: previous and next offset (-1 for none) and which chain of its order list holds it. Only explicitly listed
 * free blocks have an entry. Owned by the {@link FreeArea} that holds it (single-threaded).
 */
final class PfnLinks {
    static final int NONE = -1;
    private int[] keys;
    private int[] prev;
    private int[] next;
    private byte[] chain;
    private int size;

    PfnLinks() {
        allocate(16);
    }

    private void allocate(int capacity) {
        keys = new int[capacity];
        Arrays.fill(keys, NONE);
        prev = new int[capacity];
        next = new int[capacity];
        chain = new byte[capacity];
    }

    private int slot(int key) {
        int mask = keys.length - 1;
        int h = (key * 0x9E3779B1) >>> 7;
        int i = h & mask;
        while (keys[i] != NONE && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    boolean contains(int key) {
        return keys[slot(key)] == key;
    }

    int prev(int key) {
        return prev[find(key)];
    }

    int next(int key) {
        return next[find(key)];
    }

    int chain(int key) {
        return chain[find(key)];
    }

    void setPrev(int key, int value) {
        prev[find(key)] = value;
    }

    void setNext(int key, int value) {
        next[find(key)] = value;
    }

    private int find(int key) {
        int s = slot(key);
        if (keys[s] != key) {
            throw new IllegalStateException("pfn offset " + key + " is not listed");
        }
        return s;
    }

    void put(int key, int p, int n, int c) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int s = slot(key);
        if (keys[s] != key) {
            keys[s] = key;
            size++;
        }
        prev[s] = p;
        next[s] = n;
        chain[s] = (byte) c;
    }

    void remove(int key) {
        removeAt(find(key));
    }

    /**
     * The slot holding {@code key}, or {@link #NONE} when it has no entry: one probe for a caller that reads and then
     * removes the entry ({@link #prevAt}, {@link #nextAt}, {@link #chainAt}, {@link #removeAt}). Valid until the next
     * put or remove.
     */
    int indexOf(int key) {
        int s = slot(key);
        return keys[s] == key ? s : NONE;
    }

    /** The previous offset of the entry at {@code slot} (from {@link #indexOf}). */
    int prevAt(int slot) {
        return prev[slot];
    }

    /** The next offset of the entry at {@code slot} (from {@link #indexOf}). */
    int nextAt(int slot) {
        return next[slot];
    }

    /** The chain of the entry at {@code slot} (from {@link #indexOf}). */
    int chainAt(int slot) {
        return chain[slot];
    }

    /** Removes the entry at {@code slot} (from {@link #indexOf}), shifting back the entries probed past it. */
    void removeAt(int slot) {
        int mask = keys.length - 1;
        int i = slot;
        keys[i] = NONE;
        size--;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (keys[j] == NONE) {
                return;
            }
            int home = ((keys[j] * 0x9E3779B1) >>> 7) & mask;
            boolean between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!between) {
                keys[i] = keys[j];
                prev[i] = prev[j];
                next[i] = next[j];
                chain[i] = chain[j];
                keys[j] = NONE;
                i = j;
            }
        }
    }

    private void grow() {
        int[] k = keys;
        int[] p = prev;
        int[] n = next;
        byte[] c = chain;
        allocate(k.length * 2);
        size = 0;
        for (int i = 0; i < k.length; i++) {
            if (k[i] != NONE) {
                put(k[i], p[i], n[i], c[i]);
            }
        }
    }
}
