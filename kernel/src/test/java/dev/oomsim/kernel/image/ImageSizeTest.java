package dev.oomsim.kernel.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.api.Test;

/**
 * What an image of a 64 GiB node costs: one {@code long} per free block, so a booted node (free memory in order-10
 * blocks) images in 16 383 longs, and a node with every other page free in 8 Mi longs (64 MiB). Prints the counts, and
 * how long taking and restoring the image took, for docs; asserts the counts and the round trip.
 */
class ImageSizeTest {
    /** 64 GiB in 4 KiB pages. */
    private static final long PAGES_64_GIB = 64L << 18;

    /** One 64 GiB NORMAL zone with {@code free} as its boot free-block counts, and a task holding 1000 pages. */
    private static ScenarioRunner node(String free) {
        return Yaml.boot("""
                profile: seed
                nodes:
                  - id: 0
                    zones:
                      - {type: NORMAL, managed_pages: %d, free: %s}
                tasks:
                  - {pid: 100, comm: bench, rss: {0: {anon: 1000}}, total_vm: 2000}
                """.formatted(PAGES_64_GIB, free));
    }

    private static long measure(String what, String free) {
        ScenarioRunner booted = node(free);
        long t0 = System.nanoTime();
        MachineImage image = booted.captureImage(node -> true);
        long t1 = System.nanoTime();
        ScenarioRunner restored = node(free);
        long t2 = System.nanoTime();
        restored.restoreImage(image);
        long t3 = System.nanoTime();
        assertThat(restored.captureImage(node -> true)).isEqualTo(image);
        long longs = image.freeListPfns();
        System.out.printf("image of a 64 GiB node, %s: %d free-list longs (%.1f MiB), capture %d ms, restore %d ms%n",
                what, longs, longs * 8.0 / (1 << 20), (t1 - t0) / 1_000_000, (t3 - t2) / 1_000_000);
        return longs;
    }

    @Test
    void aBootedSixtyFourGibibyteNodeImagesInOneLongPerOrderTenBlock() {
        assertThat(measure("booted (free in order-10 blocks)", "{10: " + (PAGES_64_GIB / 1024 - 1) + "}"))
                .isEqualTo(PAGES_64_GIB / 1024 - 1);
    }

    @Test
    void aSixtyFourGibibyteNodeWithEveryOtherPageFreeImagesInOneLongPerFreePage() {
        assertThat(measure("every other page free", "{0: " + PAGES_64_GIB / 2 + "}")).isEqualTo(PAGES_64_GIB / 2);
    }
}
