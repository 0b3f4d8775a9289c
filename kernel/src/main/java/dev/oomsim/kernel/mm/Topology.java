package dev.oomsim.kernel.mm;

import java.util.ArrayList;
import java.util.List;

/** Builds the nodes and zones of a machine from specs and runs the zonelist construction. */
public final class Topology {
    private Topology() {
    }

    /**
     * Builds every node (ids must be 0..n-1 in order). Zones of a node follow each other unless given a start pfn; a
     * node starts where the previous one's spanned range ends. Absent zone types become empty zones.
     */
    public static List<NumaNode> build(Arch arch, List<NodeSpec> specs) {
        List<NumaNode> nodes = new ArrayList<>();
        long nodeStart = 0;
        for (int n = 0; n < specs.size(); n++) {
            NodeSpec spec = specs.get(n);
            if (spec.id() != n) {
                throw new IllegalArgumentException("nodes[" + n + "].id: expected " + n + ", got " + spec.id());
            }
            int[] distance = spec.distance();
            if (distance == null) {
                distance = new int[specs.size()];
                for (int m = 0; m < specs.size(); m++) {
                    distance[m] = m == n ? 10 : 20;
                }
            } else if (distance.length != specs.size()) {
                throw new IllegalArgumentException("nodes[" + n + "].distance: expected " + specs.size()
                        + " entries, got " + distance.length);
            }
            Zone[] zones = new Zone[arch.nrZones()];
            long cursor = nodeStart;
            long managedSum = 0;
            int prevIdx = -1;
            for (int zi = 0; zi < spec.zones().size(); zi++) {
                ZoneSpec zs = spec.zones().get(zi);
                int idx = arch.zoneIndex(zs.type());
                if (idx < 0) {
                    throw new IllegalArgumentException("nodes[" + n + "].zones[" + zi + "].type: " + zs.type()
                            + " does not exist on " + arch.scenarioName());
                }
                if (idx <= prevIdx) {
                    throw new IllegalArgumentException("nodes[" + n + "].zones[" + zi + "].type: zones must be listed"
                            + " once each in index order");
                }
                prevIdx = idx;
                long start = zs.startPfn() != null ? zs.startPfn() : cursor;
                List<ZoneLayout.Region> regions;
                try {
                    regions = regions(zs, start);
                    zones[idx] = new Zone(n, zs.type(), idx, arch.nrZones(), start, zs.managedPages(), regions);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("nodes[" + n + "].zones[" + zi + "]: " + e.getMessage(), e);
                }
                zones[idx].setReclaimablePages(zs.reclaimablePages());
                zones[idx].setReservedHighatomicPages(zs.reservedHighatomicPages());
                cursor = start + zs.managedPages();
                managedSum += zs.managedPages();
            }
            for (int zi = 0; zi < zones.length; zi++) {
                if (zones[zi] == null) {
                    zones[zi] = new Zone(n, arch.zoneType(zi), zi, arch.nrZones(), cursor, 0, List.of());
                }
            }
            long spanned = spec.spannedPages() != null ? spec.spannedPages() : managedSum;
            nodes.add(new NumaNode(n, spanned, distance, zones));
            nodeStart = Math.max(cursor, nodeStart + spanned);
        }
        ZonelistBuilder.buildAll(nodes, arch);
        return nodes;
    }

    private static List<ZoneLayout.Region> regions(ZoneSpec zs, long start) {
        long end = start + zs.managedPages();
        if (zs.freeBlocks() != null) {
            List<ZoneLayout.Region> out = new ArrayList<>();
            for (long[] b : zs.freeBlocks()) {
                if (b[1] < 0 || b[1] >= Zone.MAX_ORDER) {
                    throw new IllegalArgumentException("free_blocks: order must be 0..10, got " + b[1]);
                }
                out.add(new ZoneLayout.Region(b[0], 1L << b[1], 1, 1L << b[1]));
            }
            return out;
        }
        if (zs.freeCounts() != null) {
            return ZoneLayout.plan(start, end, zs.freeCounts());
        }
        return List.of();
    }
}
