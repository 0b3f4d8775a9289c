package dev.oomsim.kernel.mm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.oomsim.kernel.profile.Profile;

/**
 * Mirrors {@code gfp_t}, include/linux/gfp.h. The mask is held in the v4.4 bit layout (docs/kernel-model.md §4); the
 * three flags that exist only in v6.1 ({@code __GFP_RETRY_MAYFAIL}, {@code __GFP_ACCOUNT}, {@code __GFP_ZEROTAGS})
 * live in bits v4.4 leaves unused. {@link #raw(Profile)} gives the value the profile's kernel would print.
 */
public record GfpFlags(int mask) {

    public static final GfpFlags DMA = new GfpFlags(0x01);
    public static final GfpFlags HIGHMEM = new GfpFlags(0x02);
    public static final GfpFlags DMA32 = new GfpFlags(0x04);
    public static final GfpFlags MOVABLE = new GfpFlags(0x08);
    public static final GfpFlags RECLAIMABLE = new GfpFlags(0x10);
    public static final GfpFlags HIGH = new GfpFlags(0x20);
    public static final GfpFlags IO = new GfpFlags(0x40);
    public static final GfpFlags FS = new GfpFlags(0x80);
    public static final GfpFlags COLD = new GfpFlags(0x100);
    public static final GfpFlags NOWARN = new GfpFlags(0x200);
    public static final GfpFlags REPEAT = new GfpFlags(0x400);
    public static final GfpFlags NOFAIL = new GfpFlags(0x800);
    public static final GfpFlags NORETRY = new GfpFlags(0x1000);
    public static final GfpFlags MEMALLOC = new GfpFlags(0x2000);
    public static final GfpFlags COMP = new GfpFlags(0x4000);
    public static final GfpFlags ZERO = new GfpFlags(0x8000);
    public static final GfpFlags NOMEMALLOC = new GfpFlags(0x10000);
    public static final GfpFlags HARDWALL = new GfpFlags(0x20000);
    public static final GfpFlags THISNODE = new GfpFlags(0x40000);
    public static final GfpFlags ATOMIC = new GfpFlags(0x80000);
    public static final GfpFlags NOACCOUNT = new GfpFlags(0x100000);
    public static final GfpFlags NOTRACK = new GfpFlags(0x200000);
    public static final GfpFlags DIRECT_RECLAIM = new GfpFlags(0x400000);
    public static final GfpFlags OTHER_NODE = new GfpFlags(0x800000);
    public static final GfpFlags WRITE = new GfpFlags(0x1000000);
    public static final GfpFlags KSWAPD_RECLAIM = new GfpFlags(0x2000000);
    /** v6.1 only ({@code __GFP_RETRY_MAYFAIL}, which replaced REPEAT in v4.13). */
    public static final GfpFlags RETRY_MAYFAIL = new GfpFlags(0x4000000);
    /** v6.1 only. */
    public static final GfpFlags ACCOUNT = new GfpFlags(0x8000000);
    /** v6.1 only. */
    public static final GfpFlags ZEROTAGS = new GfpFlags(0x10000000);

    public static final GfpFlags RECLAIM = new GfpFlags(0x2400000);
    public static final GfpFlags GFP_ATOMIC = new GfpFlags(0x2080020);
    public static final GfpFlags GFP_NOWAIT = new GfpFlags(0x2000000);
    public static final GfpFlags GFP_NOIO = new GfpFlags(0x2400000);
    public static final GfpFlags GFP_NOFS = new GfpFlags(0x2400040);
    public static final GfpFlags GFP_KERNEL = new GfpFlags(0x24000c0);
    public static final GfpFlags GFP_TEMPORARY = new GfpFlags(0x24000d0);
    public static final GfpFlags GFP_USER = new GfpFlags(0x24200c0);
    public static final GfpFlags GFP_HIGHUSER = new GfpFlags(0x24200c2);
    public static final GfpFlags GFP_HIGHUSER_MOVABLE = new GfpFlags(0x24200ca);
    public static final GfpFlags GFP_DMA = DMA;
    public static final GfpFlags GFP_DMA32 = DMA32;
    public static final GfpFlags GFP_TRANSHUGE = new GfpFlags(0x4352ca);
    public static final GfpFlags GFP_KERNEL_ACCOUNT = new GfpFlags(0x24000c0 | 0x8000000);
    public static final GfpFlags GFP_TRANSHUGE_LIGHT =
            new GfpFlags((0x24200ca | 0x4000 | 0x10000 | 0x200) & ~0x2400000);
    /** v6.1's GFP_TRANSHUGE (LIGHT plus direct reclaim); spelled GFP_TRANSHUGE in the modern profile. */
    public static final GfpFlags GFP_TRANSHUGE_MODERN = new GfpFlags(GFP_TRANSHUGE_LIGHT.mask | 0x400000);

    /** Single flags: canonical bit, v4.4 name value, v6.1 value (0 when the flag does not exist there). */
    private static final Object[][] BITS = {
        {"__GFP_DMA", 0x01, 0x01}, {"__GFP_HIGHMEM", 0x02, 0x02}, {"__GFP_DMA32", 0x04, 0x04},
        {"__GFP_MOVABLE", 0x08, 0x08}, {"__GFP_RECLAIMABLE", 0x10, 0x10}, {"__GFP_HIGH", 0x20, 0x20},
        {"__GFP_IO", 0x40, 0x40}, {"__GFP_FS", 0x80, 0x80}, {"__GFP_COLD", 0x100, 0},
        {"__GFP_NOWARN", 0x200, 0x2000}, {"__GFP_REPEAT", 0x400, 0}, {"__GFP_NOFAIL", 0x800, 0x8000},
        {"__GFP_NORETRY", 0x1000, 0x10000}, {"__GFP_MEMALLOC", 0x2000, 0x20000}, {"__GFP_COMP", 0x4000, 0x40000},
        {"__GFP_ZERO", 0x8000, 0x100}, {"__GFP_NOMEMALLOC", 0x10000, 0x80000}, {"__GFP_HARDWALL", 0x20000, 0x100000},
        {"__GFP_THISNODE", 0x40000, 0x200000}, {"__GFP_ATOMIC", 0x80000, 0x200}, {"__GFP_NOACCOUNT", 0x100000, 0},
        {"__GFP_NOTRACK", 0x200000, 0}, {"__GFP_DIRECT_RECLAIM", 0x400000, 0x400}, {"__GFP_OTHER_NODE", 0x800000, 0},
        {"__GFP_WRITE", 0x1000000, 0x1000}, {"__GFP_KSWAPD_RECLAIM", 0x2000000, 0x800},
        {"__GFP_RETRY_MAYFAIL", 0x4000000, 0x4000}, {"__GFP_ACCOUNT", 0x8000000, 0x400000},
        {"__GFP_ZEROTAGS", 0x10000000, 0x800000},
    };
    private static final int MODERN_ONLY = 0x4000000 | 0x8000000 | 0x10000000;

    private static final Map<String, GfpFlags> SEED_NAMES = new LinkedHashMap<>();
    private static final Map<String, GfpFlags> MODERN_NAMES = new LinkedHashMap<>();
    /** v6.1 {@code __def_gfpflag_names} order, used by {@code %pGg}. */
    private static final List<String> MODERN_DECODE_ORDER = List.of(
            "GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT", "GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER", "GFP_USER",
            "GFP_KERNEL_ACCOUNT", "GFP_KERNEL", "GFP_NOFS", "GFP_ATOMIC", "GFP_NOIO", "GFP_NOWAIT", "GFP_DMA",
            "__GFP_HIGHMEM", "GFP_DMA32", "__GFP_HIGH", "__GFP_ATOMIC", "__GFP_IO", "__GFP_FS", "__GFP_NOWARN",
            "__GFP_RETRY_MAYFAIL", "__GFP_NOFAIL", "__GFP_NORETRY", "__GFP_COMP", "__GFP_ZERO", "__GFP_NOMEMALLOC",
            "__GFP_MEMALLOC", "__GFP_HARDWALL", "__GFP_THISNODE", "__GFP_RECLAIMABLE", "__GFP_MOVABLE",
            "__GFP_ACCOUNT", "__GFP_WRITE", "__GFP_RECLAIM", "__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM",
            "__GFP_ZEROTAGS");

    static {
        for (Object[] b : BITS) {
            String name = (String) b[0];
            int canonical = (Integer) b[1];
            SEED_NAMES.put(name, new GfpFlags(canonical));
            if ((Integer) b[2] != 0) {
                MODERN_NAMES.put(name, new GfpFlags(canonical));
            }
        }
        SEED_NAMES.keySet().removeIf(n -> n.equals("__GFP_RETRY_MAYFAIL") || n.equals("__GFP_ACCOUNT")
                || n.equals("__GFP_ZEROTAGS"));
        for (Map<String, GfpFlags> m : List.of(SEED_NAMES, MODERN_NAMES)) {
            m.put("__GFP_RECLAIM", RECLAIM);
            m.put("GFP_ATOMIC", GFP_ATOMIC);
            m.put("GFP_NOWAIT", GFP_NOWAIT);
            m.put("GFP_NOIO", GFP_NOIO);
            m.put("GFP_NOFS", GFP_NOFS);
            m.put("GFP_KERNEL", GFP_KERNEL);
            m.put("GFP_USER", GFP_USER);
            m.put("GFP_HIGHUSER", GFP_HIGHUSER);
            m.put("GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE);
            m.put("GFP_DMA", GFP_DMA);
            m.put("GFP_DMA32", GFP_DMA32);
        }
        SEED_NAMES.put("GFP_TEMPORARY", GFP_TEMPORARY);
        SEED_NAMES.put("GFP_TRANSHUGE", GFP_TRANSHUGE);
        MODERN_NAMES.put("GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT);
        MODERN_NAMES.put("GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT);
        MODERN_NAMES.put("GFP_TRANSHUGE", GFP_TRANSHUGE_MODERN);
    }

    /** Validates that the mask only uses known bits. */
    public GfpFlags {
        if ((mask & ~0x1fffffff) != 0) {
            throw new IllegalArgumentException("gfp mask: unknown bits in 0x" + Integer.toHexString(mask));
        }
    }

    /** True when every bit of {@code flag} is set. */
    public boolean has(GfpFlags flag) {
        return (mask & flag.mask) == flag.mask;
    }

    /** True when any bit of {@code flag} is set. */
    public boolean hasAny(GfpFlags flag) {
        return (mask & flag.mask) != 0;
    }

    /** This mask with {@code flag} added. */
    public GfpFlags with(GfpFlags flag) {
        return new GfpFlags(mask | flag.mask);
    }

    /** This mask with {@code flag} cleared. */
    public GfpFlags without(GfpFlags flag) {
        return new GfpFlags(mask & ~flag.mask);
    }

    /** This mask AND {@code allowed} (the {@code gfp_allowed_mask} step). */
    public GfpFlags and(GfpFlags allowed) {
        return new GfpFlags(mask & allowed.mask);
    }

    /**
     * Mirrors {@code gfp_zone}, include/linux/gfp.h: the highest zone type the request may use; invalid combinations
     * throw.
     */
    public ZoneType gfpZone(Arch arch) {
        int low = mask & 0x0f;
        boolean dma = (low & 0x01) != 0;
        boolean high = (low & 0x02) != 0;
        boolean dma32 = (low & 0x04) != 0;
        boolean movable = (low & 0x08) != 0;
        int zoneBits = (dma ? 1 : 0) + (high ? 1 : 0) + (dma32 ? 1 : 0);
        if (zoneBits > 1) {
            throw new IllegalArgumentException("gfp 0x" + Integer.toHexString(mask)
                    + ": invalid zone modifier combination 0x" + Integer.toHexString(low));
        }
        if (dma) {
            return ZoneType.DMA;
        }
        if (dma32) {
            return arch == Arch.X86_64 ? ZoneType.DMA32 : ZoneType.NORMAL;
        }
        if (high) {
            if (movable) {
                return ZoneType.MOVABLE;
            }
            return arch == Arch.I386 ? ZoneType.HIGHMEM : ZoneType.NORMAL;
        }
        return ZoneType.NORMAL;
    }

    /** {@link #gfpZone} as the arch's zone index. */
    public int gfpZoneIndex(Arch arch) {
        return arch.zoneIndex(gfpZone(arch));
    }

    /** The value the profile's kernel holds for this mask. */
    public int raw(Profile profile) {
        if (profile == Profile.SEED) {
            return mask & ~MODERN_ONLY;
        }
        int out = 0;
        for (Object[] b : BITS) {
            if ((mask & (Integer) b[1]) != 0) {
                out |= (Integer) b[2];
            }
        }
        return out;
    }

    /** Lower-case hex of {@link #raw}, without padding, as {@code 0x%x} prints it. */
    public String hex(Profile profile) {
        return "0x" + Integer.toHexString(raw(profile));
    }

    /** The header's gfp text: {@code 0x24000c0} (seed) or {@code 0xcc0(GFP_KERNEL)} (modern {@code %#x(%pGg)}). */
    public String headerText(Profile profile) {
        if (profile == Profile.SEED) {
            return hex(profile);
        }
        return hex(profile) + "(" + decodeModern() + ")";
    }

    /** Mirrors {@code format_flags} with {@code gfpflag_names} (lib/vsprintf.c, v6.1). */
    String decodeModern() {
        int rest = raw(Profile.MODERN);
        List<String> parts = new ArrayList<>();
        for (String name : MODERN_DECODE_ORDER) {
            int value = MODERN_NAMES.get(name).raw(Profile.MODERN);
            if (value != 0 && (rest & value) == value) {
                parts.add(name);
                rest &= ~value;
            }
        }
        if (rest != 0) {
            parts.add("0x" + Integer.toHexString(rest));
        }
        return String.join("|", parts);
    }

    /**
     * Parses {@code GFP_KERNEL|__GFP_NOFAIL} (names of the profile, {@code __GFP_} prefix optional for single flags)
     * or a hex mask {@code 0x24000c0} in the profile's layout. Invalid zone combinations are rejected.
     */
    public static GfpFlags parse(String text, Profile profile, Arch arch) {
        String s = text.trim();
        GfpFlags result;
        if (s.startsWith("0x") || s.startsWith("0X")) {
            long raw;
            try {
                raw = Long.parseLong(s.substring(2), 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad hex gfp mask " + text);
            }
            result = fromRaw(raw, profile);
        } else {
            Map<String, GfpFlags> names = profile == Profile.SEED ? SEED_NAMES : MODERN_NAMES;
            int m = 0;
            for (String part : s.split("\\|")) {
                String name = part.trim();
                GfpFlags f = names.get(name);
                if (f == null && !name.startsWith("_")) {
                    f = names.get("__GFP_" + name.toUpperCase(Locale.ROOT));
                }
                if (f == null) {
                    throw new IllegalArgumentException("unknown gfp flag " + name + " for profile "
                            + profile.scenarioName());
                }
                m |= f.mask;
            }
            result = new GfpFlags(m);
        }
        result.gfpZone(arch);
        return result;
    }

    /** Converts a profile's raw value into the canonical mask; unknown bits are rejected. */
    public static GfpFlags fromRaw(long raw, Profile profile) {
        int column = profile == Profile.SEED ? 1 : 2;
        long rest = raw;
        int m = 0;
        for (Object[] b : BITS) {
            int v = (Integer) b[column];
            if (v != 0 && (raw & v) != 0 && !(profile == Profile.SEED && ((Integer) b[1] & MODERN_ONLY) != 0)) {
                m |= (Integer) b[1];
                rest &= ~v;
            }
        }
        if (rest != 0) {
            throw new IllegalArgumentException("gfp mask 0x" + Long.toHexString(raw) + " has bits unknown to profile "
                    + profile.scenarioName() + ": 0x" + Long.toHexString(rest));
        }
        return new GfpFlags(m);
    }

    @Override
    public String toString() {
        return "0x" + Integer.toHexString(mask);
    }
}
