package dev.oomsim.kernel.mm;

/** Mirrors the {@code ALLOC_*} flags of mm/internal.h (docs/kernel-model.md §4; ALLOC_OOM from v6.1). */
public final class AllocFlags {
    public static final int ALLOC_WMARK_MIN = 0x00;
    public static final int ALLOC_WMARK_LOW = 0x01;
    public static final int ALLOC_WMARK_HIGH = 0x02;
    public static final int ALLOC_WMARK_MASK = 0x03;
    public static final int ALLOC_NO_WATERMARKS = 0x04;
    /** v6.1 (CONFIG_MMU): OOM victims may dip further into the reserves. */
    public static final int ALLOC_OOM = 0x08;
    public static final int ALLOC_HARDER = 0x10;
    public static final int ALLOC_HIGH = 0x20;
    public static final int ALLOC_CPUSET = 0x40;
    public static final int ALLOC_CMA = 0x80;
    public static final int ALLOC_FAIR = 0x100;

    private AllocFlags() {
    }
}
