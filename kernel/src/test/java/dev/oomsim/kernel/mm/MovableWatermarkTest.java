package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.oomsim.kernel.profile.Profile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * mm/page_alloc.c {@code __setup_per_zone_wmarks} (v4.4 and v6.1 alike): without CONFIG_HIGHMEM is_highmem(zone) is
 * false for every zone, ZONE_MOVABLE included, so x86_64 MOVABLE counts in lowmem_pages and takes the proportional
 * min, not the highmem 32..128 clamp. (The MOVABLE capping, "fix min_free_kbytes calculation regarding ZONE_MOVABLE",
 * is mid-2023, after v6.1.)
 */
class MovableWatermarkTest {

    /**
     * NORMAL 8192 + MOVABLE 8192 managed, min_free_kbytes 1024: pages_min = 256, lowmem_pages = 16384, each zone's
     * tmp = 256 × 8192 / 16384 = 128 = min. v4.4: low = 128 + 128/4 = 160, high = 128 + 128/2 = 192. v6.1: delta =
     * max(128 >> 2 = 32, mult_frac(8192, 10, 10000) = 8) = 32, so low 160, high 192. The wrong rule gave NORMAL 256
     * and MOVABLE clamp(8192/1024 = 8) = 32.
     */
    @ParameterizedTest
    @EnumSource(Profile.class)
    void x86MovableIsLowmemWithAProportionalMin(Profile profile) {
        List<NumaNode> nodes = Topology.build(Arch.X86_64, List.of(new NodeSpec(0, null, null, List.of(
                new ZoneSpec(ZoneType.NORMAL, 8192, null, null, null, 0, null, 0),
                new ZoneSpec(ZoneType.MOVABLE, 8192, null, null, null, 0, null, 0)))));
        WatermarkSetup.setupPerZoneWmarks(nodes, Arch.X86_64, profile, 1024, 10);
        NumaNode n = nodes.get(0);
        for (int zi = 0; zi < n.nrZones(); zi++) {
            if (n.zone(zi).managedPages() > 0) {
                assertThat(n.zone(zi).watermarks()).as(n.zone(zi).type().name())
                        .isEqualTo(new Watermarks(128, 160, 192));
            }
        }
    }
}
