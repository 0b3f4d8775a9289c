package dev.oomsim.kernel.mm;

/** Mirrors {@code enum zone_type}, include/linux/mmzone.h. The numeric index depends on the {@link Arch}. */
public enum ZoneType {
    DMA, DMA32, NORMAL, HIGHMEM, MOVABLE;

    /** Parses a scenario zone name. */
    public static ZoneType parse(String name) {
        for (ZoneType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("expected DMA, DMA32, NORMAL, HIGHMEM or MOVABLE, got " + name);
    }
}
