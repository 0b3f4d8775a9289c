package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.api.Test;

/** Large nodes must fit: no per-page objects, no per-page arrays for held memory. */
class LargeNodeTest {

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void aOneTebibyteNodeLoadsAndAllocatesInTheDefaultHeap() {
        // 2^28 pages; a task holds most of it, the rest is free in large and small blocks
        ScenarioRunner r = Yaml.boot("""
                nodes:
                  - id: 0
                    zones:
                      - {type: DMA, managed_pages: 4000, free_pages: 100}
                      - {type: DMA32, managed_pages: 1044480, free: {10: 500}}
                      - {type: NORMAL, managed_pages: 267386976, free: {0: 1000000, 4: 100000, 10: 20000}}
                tasks:
                  - {pid: 900, comm: db, rss: {0: {anon: 240000000}}}
                  - {pid: 1000, comm: bash, rss: {0: {anon: 100}}}
                """);
        assertThat(r.machine().totalramPages()).isEqualTo(1L << 28);
        EventResult.Alloc res = r.allocate(new AllocRequest(1000, GfpFlags.GFP_KERNEL, 0, 0));
        assertThat(res.page()).isNotNull();
        r.machine().exitTask(r.machine().tasks().get(900));
        Zone normal = r.machine().zone(0, 2);
        long[] nr = normal.nrFree();
        long sum = 0;
        for (int o = 0; o < nr.length; o++) {
            sum += nr[o] << o;
        }
        assertThat(normal.freePages()).isEqualTo(sum);
    }

    @Test
    void aSixtyFourGibibyteNodeCostsLessThanSixtyFourMebibytes() {
        long before = usedHeap();
        ScenarioRunner r = Yaml.boot("""
                nodes:
                  - id: 0
                    zones:
                      - {type: DMA32, managed_pages: 1044480, free_pages: 400000}
                      - {type: NORMAL, managed_pages: 15732736, free: {0: 4000000, 3: 100000, 9: 1000}}
                tasks:
                  - {pid: 900, comm: db, rss: {0: {anon: 6000000}}}
                """);
        long after = usedHeap();
        assertThat(r.machine().totalramPages()).isEqualTo(1L << 24);
        assertThat(after - before).isLessThan(64L << 20);
    }
}
