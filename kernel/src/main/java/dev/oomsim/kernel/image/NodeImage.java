package dev.oomsim.kernel.image;

import java.util.List;

/**
 * One node's memory ({@code pg_data_t} and what tasks hold there): every zone slot of the node by index, each mm's
 * rss and holdings on this node (every mm of the machine, in the machine's order) and the kernel (mm-less) holdings
 * by pid, in the order tasks first got them. Taken and restored only by the node's owner ({@code NodeMemory}).
 */
public record NodeImage(int nodeId, List<ZoneImage> zones, List<MmNodeImage> mms,
        List<KernelHoldingImage> kernelHoldings) {

    /** Copies the lists; zone images are by index. */
    public NodeImage {
        if (nodeId < 0 || zones == null || mms == null || kernelHoldings == null) {
            throw new IllegalArgumentException("node image: id must be >= 0 and zones, mms, kernel holdings set");
        }
        zones = List.copyOf(zones);
        mms = List.copyOf(mms);
        kernelHoldings = List.copyOf(kernelHoldings);
        for (int i = 0; i < zones.size(); i++) {
            if (zones.get(i).zoneIdx() != i) {
                throw new IllegalArgumentException("node " + nodeId + ": zone image " + i + " is of zone "
                        + zones.get(i).zoneIdx());
            }
        }
    }

    /** Free blocks listed over every zone and order: the {@code long}s this node's free lists cost in the image. */
    public long freeListPfns() {
        long n = 0;
        for (ZoneImage z : zones) {
            n += z.freeListPfns();
        }
        return n;
    }
}
