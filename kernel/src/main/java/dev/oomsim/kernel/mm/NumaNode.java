package dev.oomsim.kernel.mm;

import java.util.List;

/**
 * Mirrors {@code pg_data_t}: a node's zones (indexed by the arch's zone index), spanned pages, distances and its two
 * zonelists. The node's zones are mutable; owned by the node's owner thread.
 */
public final class NumaNode {
    private final int id;
    private final long spannedPages;
    private final int[] distance;
    private final Zone[] zones;
    private Zonelist fallback = new Zonelist(List.of());
    private Zonelist thisNode = new Zonelist(List.of());

    NumaNode(int id, long spannedPages, int[] distance, Zone[] zones) {
        if (spannedPages < 0) {
            throw new IllegalArgumentException("spanned_pages: must be >= 0, got " + spannedPages);
        }
        this.id = id;
        this.spannedPages = spannedPages;
        this.distance = distance.clone();
        this.zones = zones.clone();
    }

    /** Mirrors {@code pgdat->node_id}. */
    public int id() {
        return id;
    }

    /** Mirrors {@code node_spanned_pages} (holes included). */
    public long spannedPages() {
        return spannedPages;
    }

    /** Mirrors {@code node_distance(this, other)}. */
    public int distance(int other) {
        return distance[other];
    }

    /** Zone by arch index (never null: an absent zone is an empty zone). */
    public Zone zone(int zoneIdx) {
        return zones[zoneIdx];
    }

    /** Number of zone slots. */
    public int nrZones() {
        return zones.length;
    }

    /** Mirrors {@code node_state(N_MEMORY)}: some zone is populated. */
    public boolean hasMemory() {
        for (Zone z : zones) {
            if (z.populated()) {
                return true;
            }
        }
        return false;
    }

    /** Σ managed pages of the node's zones. */
    public long managedPages() {
        long sum = 0;
        for (Zone z : zones) {
            sum += z.managedPages();
        }
        return sum;
    }

    /** Mirrors {@code node_zonelists[ZONELIST_FALLBACK]}. */
    public Zonelist fallbackZonelist() {
        return fallback;
    }

    /** Mirrors {@code node_zonelists[ZONELIST_NOFALLBACK]} (the THISNODE list). */
    public Zonelist thisNodeZonelist() {
        return thisNode;
    }

    void setZonelists(Zonelist fallback, Zonelist thisNode) {
        this.fallback = fallback;
        this.thisNode = thisNode;
    }
}
