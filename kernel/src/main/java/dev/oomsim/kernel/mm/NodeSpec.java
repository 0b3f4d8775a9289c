package dev.oomsim.kernel.mm;

import java.util.List;

/** How to build one node: id, spanned pages (null: Σ managed), distances (null: 10 local, 20 remote) and zones. */
public record NodeSpec(int id, Long spannedPages, int[] distance, List<ZoneSpec> zones) {

    /** Validates the fields. */
    public NodeSpec {
        if (id < 0 || id >= 64) {
            throw new IllegalArgumentException("id: expected 0..63, got " + id);
        }
        zones = List.copyOf(zones);
    }
}
