package dev.oomsim.kernel.mm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Mirrors {@code nodemask_t} for up to 64 nodes. */
public record NodeMask(long bits) {

    /** The empty mask. */
    public static final NodeMask EMPTY = new NodeMask(0);

    /** A mask of the given node ids. */
    public static NodeMask of(Collection<Integer> nodes) {
        long b = 0;
        for (int n : nodes) {
            if (n < 0 || n >= 64) {
                throw new IllegalArgumentException("node id: expected 0..63, got " + n);
            }
            b |= 1L << n;
        }
        return new NodeMask(b);
    }

    /** A mask of one node. */
    public static NodeMask single(int node) {
        return of(List.of(node));
    }

    /** Mirrors {@code node_isset}. */
    public boolean contains(int node) {
        return node >= 0 && node < 64 && (bits & (1L << node)) != 0;
    }

    /** Mirrors {@code nodes_intersects}. */
    public boolean intersects(NodeMask other) {
        return (bits & other.bits) != 0;
    }

    /** Mirrors {@code nodes_subset(this, other)}. */
    public boolean subsetOf(NodeMask other) {
        return (bits & ~other.bits) == 0;
    }

    /** True when no node is set. */
    public boolean isEmpty() {
        return bits == 0;
    }

    /**
     * Mirrors {@code first_node}: the lowest node id, without building {@link #nodes()}. An empty mask throws the
     * {@link IndexOutOfBoundsException} {@code nodes().get(0)} throws.
     */
    public int first() {
        return bits != 0 ? Long.numberOfTrailingZeros(bits) : nodes().get(0);
    }

    /** Node ids in ascending order. */
    public List<Integer> nodes() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if (contains(i)) {
                out.add(i);
            }
        }
        return out;
    }

    /** The {@code %*pbl} rendering: ranges such as {@code 0-1,3}. */
    public String rangeList() {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < 64) {
            if (!contains(i)) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < 64 && contains(j + 1)) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(i);
            if (j > i) {
                sb.append('-').append(j);
            }
            i = j + 1;
        }
        return sb.toString();
    }
}
