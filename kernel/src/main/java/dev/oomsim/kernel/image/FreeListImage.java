package dev.oomsim.kernel.image;

import java.util.Arrays;
import java.util.function.LongConsumer;

import dev.oomsim.kernel.mm.BuddyOrder;

/**
 * Mirrors one {@code struct free_area}'s list ({@code zone->free_area[order].free_list}): the first pfn of every free
 * block of {@code order}, in list order, head first; {@code nr_free} is its length. One {@code long} per free block,
 * whatever representation the live list uses (runs, chains, deferred head). Immutable: the array is copied in and
 * {@link #pfns()} copies it out; {@link #pfn(int)} and {@link #forEach} read it without a copy.
 */
public record FreeListImage(int order, long[] pfns) {

    /** Copies the pfns and checks each heads an aligned block of {@code order}. */
    public FreeListImage {
        if (order < 0 || order >= BuddyOrder.MAX_ORDER) {
            throw new IllegalArgumentException("free list order: expected 0.." + (BuddyOrder.MAX_ORDER - 1) + ", got "
                    + order);
        }
        if (pfns == null) {
            throw new IllegalArgumentException("free list of order " + order + ": pfns must be set");
        }
        pfns = pfns.clone();
        long misaligned = (1L << order) - 1;
        for (long pfn : pfns) {
            if (pfn < 0 || (pfn & misaligned) != 0) {
                throw new IllegalArgumentException("free list of order " + order + ": pfn " + pfn
                        + " is not the start of an aligned block");
            }
        }
    }

    /** {@code nr_free}: the number of blocks on the list. */
    public int size() {
        return pfns.length;
    }

    /** The {@code i}-th block from the head. */
    public long pfn(int i) {
        return pfns[i];
    }

    /** Visits the blocks head first. */
    public void forEach(LongConsumer action) {
        for (long pfn : pfns) {
            action.accept(pfn);
        }
    }

    /** A copy of the pfns, head first. */
    @Override
    public long[] pfns() {
        return pfns.clone();
    }

    /** Free pages on this list: {@code nr_free << order}. */
    public long pages() {
        return (long) pfns.length << order;
    }

    /** Equal when the order and every pfn in list order are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FreeListImage f && order == f.order && Arrays.equals(pfns, f.pfns);
    }

    @Override
    public int hashCode() {
        return 31 * order + Arrays.hashCode(pfns);
    }

    @Override
    public String toString() {
        if (pfns.length <= 16) {
            return "FreeListImage[order " + order + " " + Arrays.toString(pfns) + "]";
        }
        return "FreeListImage[order " + order + " " + pfns.length + " blocks, head "
                + Arrays.toString(Arrays.copyOf(pfns, 8)) + " ...]";
    }
}
