package dev.oomsim.stack.trace;

import java.util.Arrays;

/**
 * Which NUMA node each CPU of a trace belongs to, from {@code --cpu-node 0-1:0,2-3:1} (CPU ranges or single CPUs,
 * each {@code :node}). CPUs not named go to node 0 when the map is empty, and are an error otherwise.
 */
public record CpuNodeMap(int[] nodeOfCpu) {

    /** Every CPU on node 0. */
    public static final CpuNodeMap ALL_ON_NODE_0 = new CpuNodeMap(new int[0]);

    public CpuNodeMap {
        nodeOfCpu = nodeOfCpu.clone();
    }

    /** Parses {@code 0-1:0,2-3:1}; the message of the exception names the bad part. */
    public static CpuNodeMap parse(String spec) {
        int[] nodes = new int[0];
        for (String part : spec.split(",")) {
            String p = part.trim();
            int colon = p.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + p + "' has no ':node' (write CPUS:NODE, e.g. 0-1:0)");
            }
            int node;
            int first;
            int last;
            try {
                node = Integer.parseInt(p.substring(colon + 1).trim());
                String cpus = p.substring(0, colon).trim();
                int dash = cpus.indexOf('-');
                first = Integer.parseInt(dash < 0 ? cpus : cpus.substring(0, dash).trim());
                last = dash < 0 ? first : Integer.parseInt(cpus.substring(dash + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + p + "' is not CPUS:NODE (e.g. 0-1:0 or 3:1)");
            }
            if (first < 0 || last < first || node < 0 || last > 4095) {
                throw new IllegalArgumentException("'" + p + "': CPU range must be FIRST-LAST with 0 <= FIRST <= LAST"
                        + " <= 4095 and a node >= 0");
            }
            if (nodes.length <= last) {
                int old = nodes.length;
                nodes = Arrays.copyOf(nodes, last + 1);
                Arrays.fill(nodes, old, nodes.length, -1);
            }
            for (int c = first; c <= last; c++) {
                if (nodes[c] >= 0 && nodes[c] != node) {
                    throw new IllegalArgumentException("CPU " + c + " is given to node " + nodes[c] + " and " + node);
                }
                nodes[c] = node;
            }
        }
        return new CpuNodeMap(nodes);
    }

    /** The node of {@code cpu}, or -1 when the map names CPUs but not this one. */
    public int nodeOf(int cpu) {
        if (nodeOfCpu.length == 0) {
            return 0;
        }
        return cpu < nodeOfCpu.length ? nodeOfCpu[cpu] : -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuNodeMap other && Arrays.equals(nodeOfCpu, other.nodeOfCpu);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(nodeOfCpu);
    }

    @Override
    public String toString() {
        return "CpuNodeMap" + Arrays.toString(nodeOfCpu);
    }
}
