package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.oomsim.kernel.profile.Profile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WatermarkSetupTest {

    private static List<NumaNode> workedExample() {
        return Topology.build(Arch.X86_64, List.of(new NodeSpec(0, null, null, List.of(
                new ZoneSpec(ZoneType.DMA, 4000, null, null, null, 0, null, 0),
                new ZoneSpec(ZoneType.DMA32, 196000, null, null, null, 0, null, 0),
                new ZoneSpec(ZoneType.NORMAL, 800000, null, null, null, 0, null, 0)))));
    }

    @Test
    void workedExampleOfSection6GivesTheDocumentedReserves() {
        List<NumaNode> nodes = workedExample();
        WatermarkSetup.setupPerZoneLowmemReserve(nodes, new long[] {256, 256, 32}, Profile.SEED);
        NumaNode n = nodes.get(0);
        assertThat(n.zone(0).lowmemReserve()).containsExactly(0, 765, 3890, 3890);
        assertThat(n.zone(1).lowmemReserve()).containsExactly(0, 0, 3125, 3125);
        assertThat(n.zone(2).lowmemReserve()).containsExactly(0, 0, 0, 0);
    }

    @Test
    void workedExampleBootsWithMinFreeKbytes8000AndProportionalMarks() {
        List<NumaNode> nodes = workedExample();
        long minFree = WatermarkSetup.computeMinFreeKbytes(nodes, Arch.X86_64, Profile.SEED);
        WatermarkSetup.setupPerZoneWmarks(nodes, Arch.X86_64, Profile.SEED, minFree, 10);
        assertThat(minFree).isEqualTo(8000);
        assertThat(nodes.get(0).zone(0).watermarks()).isEqualTo(new Watermarks(8, 10, 12));
        assertThat(nodes.get(0).zone(1).watermarks()).isEqualTo(new Watermarks(392, 490, 588));
        assertThat(nodes.get(0).zone(2).watermarks()).isEqualTo(new Watermarks(1600, 2000, 2400));
    }

    @Test
    void modernMarksUseWatermarkScaleFactorWhenItIsLarger() {
        List<NumaNode> nodes = workedExample();
        WatermarkSetup.setupPerZoneWmarks(nodes, Arch.X86_64, Profile.MODERN, 8000, 10);
        // NORMAL: tmp = 1600, tmp/4 = 400 < 800000*10/10000 = 800: low = min + 800, high = min + 1600
        assertThat(nodes.get(0).zone(2).watermarks()).isEqualTo(new Watermarks(1600, 2400, 3200));
        // DMA: tmp = 8, tmp/4 = 2 < 4000*10/10000 = 4
        assertThat(nodes.get(0).zone(0).watermarks()).isEqualTo(new Watermarks(8, 12, 16));
    }

    @Test
    void modernClearsTheReserveOfAZoneWhoseRatioIsZero() {
        List<NumaNode> nodes = workedExample();
        WatermarkSetup.setupPerZoneLowmemReserve(nodes, new long[] {256, 0, 32, 0}, Profile.MODERN);
        assertThat(nodes.get(0).zone(0).lowmemReserve()).containsExactly(0, 765, 3890, 3890);
        assertThat(nodes.get(0).zone(1).lowmemReserve()).containsExactly(0, 0, 0, 0);
    }

    @ParameterizedTest(name = "{0} lowmem pages, {1} -> {2} kB")
    @CsvSource({
        "100, seed, 128", "250000, seed, 4000", "1000000, seed, 8000", "1000000000, seed, 65536",
        "1000000000, modern, 252982", "100000000000, modern, 262144",
    })
    void minFreeKbytesIsTheClampedSquareRoot(long pages, String profile, long kbytes) {
        List<NumaNode> nodes = Topology.build(Arch.X86_64, List.of(new NodeSpec(0, null, null, List.of(
                new ZoneSpec(ZoneType.NORMAL, pages, null, null, null, 0, null, 0)))));
        assertThat(WatermarkSetup.computeMinFreeKbytes(nodes, Arch.X86_64, Profile.parse(profile))).isEqualTo(kbytes);
    }

    @Test
    void highmemZonesTakeTheClampedMinimumOnI386() {
        List<NumaNode> nodes = Topology.build(Arch.I386, List.of(new NodeSpec(0, null, null, List.of(
                new ZoneSpec(ZoneType.DMA, 4000, null, null, null, 0, null, 0),
                new ZoneSpec(ZoneType.NORMAL, 200000, null, null, null, 0, null, 0),
                new ZoneSpec(ZoneType.HIGHMEM, 300000, null, null, null, 0, null, 0)))));
        WatermarkSetup.setupPerZoneWmarks(nodes, Arch.I386, Profile.SEED, 4096, 10);
        // HIGHMEM: min = clamp(300000/1024 = 292, 32, 128) = 128; tmp = 1024*300000/204000 = 1505
        assertThat(nodes.get(0).zone(2).watermarks()).isEqualTo(new Watermarks(128, 128 + 376, 128 + 752));
    }
}
