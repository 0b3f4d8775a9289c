package dev.oomsim.kernel.mm;

import java.util.Arrays;
import java.util.List;

/** The zone layout of an architecture (docs/kernel-model.md §4 "Profiles"). */
public enum Arch {
    /** DMA, DMA32, NORMAL, MOVABLE; nothing is highmem. */
    X86_64(List.of(ZoneType.DMA, ZoneType.DMA32, ZoneType.NORMAL, ZoneType.MOVABLE), new long[] {256, 256, 32}),
    /** DMA, NORMAL, HIGHMEM, MOVABLE; MOVABLE is highmem when its memory comes from HIGHMEM. */
    I386(List.of(ZoneType.DMA, ZoneType.NORMAL, ZoneType.HIGHMEM, ZoneType.MOVABLE), new long[] {256, 32, 32});

    private final List<ZoneType> zones;
    private final int[] indexByType;
    private final long[] lowmemReserveRatio;

    Arch(List<ZoneType> zones, long[] lowmemReserveRatio) {
        this.zones = zones;
        this.indexByType = new int[ZoneType.values().length];
        Arrays.fill(indexByType, -1);
        for (int i = 0; i < zones.size(); i++) {
            indexByType[zones.get(i).ordinal()] = i;
        }
        this.lowmemReserveRatio = lowmemReserveRatio;
    }

    /** Parses {@code x86_64} or {@code i386}. */
    public static Arch parse(String name) {
        return switch (name) {
            case "x86_64" -> X86_64;
            case "i386" -> I386;
            default -> throw new IllegalArgumentException("expected x86_64 or i386, got " + name);
        };
    }

    /** The scenario spelling. */
    public String scenarioName() {
        return this == X86_64 ? "x86_64" : "i386";
    }

    /** Zone types in index order ({@code MAX_NR_ZONES} entries). */
    public List<ZoneType> zoneTypes() {
        return zones;
    }

    /** Number of zone types ({@code MAX_NR_ZONES}). */
    public int nrZones() {
        return zones.size();
    }

    /** The kernel's {@code zone_idx} of a type on this arch, or -1 when the arch lacks it. */
    public int zoneIndex(ZoneType type) {
        return indexByType[type.ordinal()];
    }

    /** The zone type at an index. */
    public ZoneType zoneType(int index) {
        return zones.get(index);
    }

    /** Index of ZONE_NORMAL. */
    public int normalIndex() {
        return zoneIndex(ZoneType.NORMAL);
    }

    /** The seed default {@code sysctl_lowmem_reserve_ratio} (MAX_NR_ZONES-1 entries). */
    public long[] defaultLowmemReserveRatio() {
        return lowmemReserveRatio.clone();
    }
}
