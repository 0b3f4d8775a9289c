package dev.oomsim.kernel.mm;

import java.util.List;

/** Mirrors {@code struct zonelist}: populated zones in fallback order. */
public record Zonelist(List<ZoneRef> zones) {

    /** Copies the list. */
    public Zonelist {
        zones = List.copyOf(zones);
    }

    /** Number of entries. */
    public int size() {
        return zones.size();
    }

    /** Entry at a position. */
    public ZoneRef get(int position) {
        return zones.get(position);
    }
}
