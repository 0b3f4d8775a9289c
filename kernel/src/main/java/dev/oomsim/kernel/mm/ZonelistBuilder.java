package dev.oomsim.kernel.mm;

import java.util.ArrayList;
import java.util.List;

/** Mirrors {@code build_zonelists} and {@code find_next_best_node}, mm/page_alloc.c (v4.4). */
final class ZonelistBuilder {
    private static final long LOAD_SCALE = 1L << 20;

    private ZonelistBuilder() {
    }

    /** Builds every node's fallback and THISNODE lists, nodes in id order, sharing {@code node_load}. */
    static void buildAll(List<NumaNode> nodes, Arch arch) {
        int n = nodes.size();
        long[] nodeLoad = new long[n];
        for (NumaNode pgdat : nodes) {
            List<Integer> order = nodeOrder(pgdat.id(), nodes, nodeLoad);
            List<ZoneRef> fallback = new ArrayList<>();
            if (arch == Arch.X86_64) {
                for (int node : order) {
                    addNodeZones(nodes.get(node), fallback);
                }
            } else {
                for (int zi = arch.nrZones() - 1; zi >= 0; zi--) {
                    for (int node : order) {
                        if (nodes.get(node).zone(zi).populated()) {
                            fallback.add(new ZoneRef(node, zi));
                        }
                    }
                }
            }
            List<ZoneRef> thisNode = new ArrayList<>();
            addNodeZones(pgdat, thisNode);
            pgdat.setZonelists(new Zonelist(fallback), new Zonelist(thisNode));
        }
    }

    private static void addNodeZones(NumaNode node, List<ZoneRef> out) {
        for (int zi = node.nrZones() - 1; zi >= 0; zi--) {
            if (node.zone(zi).populated()) {
                out.add(new ZoneRef(node.id(), zi));
            }
        }
    }

    /** The node order of {@code local}'s fallback list, updating {@code nodeLoad} as the kernel does. */
    static List<Integer> nodeOrder(int local, List<NumaNode> nodes, long[] nodeLoad) {
        List<Integer> order = new ArrayList<>();
        boolean[] used = new boolean[nodes.size()];
        long load = nodes.size();
        int prev = local;
        int node;
        while ((node = findNextBestNode(local, nodes, used, nodeLoad)) >= 0) {
            if (nodes.get(local).distance(node) != nodes.get(local).distance(prev)) {
                nodeLoad[node] = load;
            }
            prev = node;
            load--;
            order.add(node);
        }
        return order;
    }

    /** Mirrors {@code find_next_best_node}; every simulated node has CPUs. */
    static int findNextBestNode(int local, List<NumaNode> nodes, boolean[] used, long[] nodeLoad) {
        if (!used[local]) {
            used[local] = true;
            return local;
        }
        long min = Long.MAX_VALUE;
        int best = -1;
        for (NumaNode candidate : nodes) {
            int n = candidate.id();
            if (used[n] || !candidate.hasMemory()) {
                continue;
            }
            long val = nodes.get(local).distance(n) + (n < local ? 1 : 0);
            val = val * LOAD_SCALE + nodeLoad[n];
            if (val < min) {
                min = val;
                best = n;
            }
        }
        if (best >= 0) {
            used[best] = true;
        }
        return best;
    }
}
