package dev.oomsim.kernel.mm;

import java.util.List;

import dev.oomsim.kernel.profile.Profile;

/**
 * Boot arithmetic of docs/kernel-model.md §6: mirrors {@code init_per_zone_wmark_min}, {@code __setup_per_zone_wmarks}
 * and {@code setup_per_zone_lowmem_reserve}, mm/page_alloc.c.
 */
public final class WatermarkSetup {
    /** {@code SWAP_CLUSTER_MAX}. */
    public static final long SWAP_CLUSTER_MAX = 32;

    private WatermarkSetup() {
    }

    /** Mirrors {@code is_highmem}: HIGHMEM, or (i386) MOVABLE carved out of highmem. */
    public static boolean isHighmem(Zone zone, Arch arch, boolean movableFromHighmem) {
        return zone.type() == ZoneType.HIGHMEM || (zone.type() == ZoneType.MOVABLE && arch == Arch.I386
                && movableFromHighmem);
    }

    /** Mirrors {@code init_per_zone_wmark_min}: ⌊√(16 × lowmem_kB)⌋ clamped to [128, profile ceiling]. */
    public static long computeMinFreeKbytes(List<NumaNode> nodes, Arch arch, Profile profile) {
        long lowmemPages = 0;
        for (NumaNode node : nodes) {
            for (int zi = 0; zi <= arch.normalIndex(); zi++) {
                lowmemPages += node.zone(zi).managedPages();
            }
        }
        long kbytes = intSqrt(lowmemPages * 4 * 16);
        return Math.max(128, Math.min(profile.minFreeKbytesCeiling(), kbytes));
    }

    /** Mirrors {@code int_sqrt}. */
    public static long intSqrt(long x) {
        long r = (long) Math.sqrt((double) x);
        while (r * r > x) {
            r--;
        }
        while ((r + 1) * (r + 1) <= x) {
            r++;
        }
        return r;
    }

    /** Replaces the computed marks of every zone whose spec states its own (a scenario's {@code watermarks}). */
    public static void applyWatermarkOverrides(List<NumaNode> nodes, Arch arch, List<NodeSpec> specs) {
        for (NodeSpec ns : specs) {
            for (ZoneSpec zs : ns.zones()) {
                if (zs.watermarks() != null) {
                    nodes.get(ns.id()).zone(arch.zoneIndex(zs.type())).setWatermarks(zs.watermarks());
                }
            }
        }
    }

    /** Mirrors {@code __setup_per_zone_wmarks} for the profile. */
    public static void setupPerZoneWmarks(List<NumaNode> nodes, Arch arch, Profile profile, long minFreeKbytes,
            long watermarkScaleFactor) {
        boolean movableFromHighmem = arch == Arch.I386 && anyHighmem(nodes);
        long pagesMin = minFreeKbytes >> 2;
        long lowmemPages = 0;
        for (NumaNode node : nodes) {
            for (int zi = 0; zi < node.nrZones(); zi++) {
                Zone z = node.zone(zi);
                boolean high = isHighmem(z, arch, movableFromHighmem);
                // v6.1 has no ZONE_MOVABLE special case (the capping came mid-2023): x86_64 MOVABLE is lowmem.
                if (!high) {
                    lowmemPages += z.managedPages();
                }
            }
        }
        for (NumaNode node : nodes) {
            for (int zi = 0; zi < node.nrZones(); zi++) {
                Zone z = node.zone(zi);
                long tmp = lowmemPages == 0 ? 0 : mulDiv(pagesMin, z.managedPages(), lowmemPages);
                boolean clampToHighmem = isHighmem(z, arch, movableFromHighmem);
                long min;
                if (clampToHighmem) {
                    min = Math.max(SWAP_CLUSTER_MAX, Math.min(128, z.managedPages() / 1024));
                } else {
                    min = tmp;
                }
                if (profile == Profile.SEED) {
                    z.setWatermarks(new Watermarks(min, min + (tmp >> 2), min + (tmp >> 1)));
                } else {
                    long m = z.managedPages();
                    long scaled = (m / 10000) * watermarkScaleFactor + ((m % 10000) * watermarkScaleFactor) / 10000;
                    long delta = Math.max(tmp >> 2, scaled);
                    z.setWatermarks(new Watermarks(min, min + delta, min + 2 * delta));
                }
            }
        }
    }

    private static boolean anyHighmem(List<NumaNode> nodes) {
        for (NumaNode node : nodes) {
            for (int zi = 0; zi < node.nrZones(); zi++) {
                if (node.zone(zi).type() == ZoneType.HIGHMEM && node.zone(zi).populated()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long mulDiv(long a, long b, long c) {
        return java.math.BigInteger.valueOf(a).multiply(java.math.BigInteger.valueOf(b))
                .divide(java.math.BigInteger.valueOf(c)).longValueExact();
    }

    /**
     * Mirrors {@code setup_per_zone_lowmem_reserve}: {@code zone[i].lowmem_reserve[j]} = ⌊Σ managed(i+1..j) /
     * ratio[i]⌋. Seed treats a ratio below 1 as 1; modern clears the entries of a zone whose ratio is 0 or that has
     * no managed pages.
     */
    public static void setupPerZoneLowmemReserve(List<NumaNode> nodes, long[] ratio, Profile profile) {
        for (NumaNode node : nodes) {
            int nr = node.nrZones();
            long[][] reserve = new long[nr][nr];
            for (int i = 0; i < nr - 1; i++) {
                long r = i < ratio.length ? ratio[i] : 0;
                boolean clear = profile == Profile.MODERN && (r == 0 || node.zone(i).managedPages() == 0);
                if (profile == Profile.SEED && r < 1) {
                    r = 1;
                }
                long managed = 0;
                for (int j = i + 1; j < nr; j++) {
                    managed += node.zone(j).managedPages();
                    reserve[i][j] = clear ? 0 : managed / r;
                }
            }
            for (int i = 0; i < nr; i++) {
                node.zone(i).setLowmemReserve(reserve[i]);
            }
        }
    }
}
