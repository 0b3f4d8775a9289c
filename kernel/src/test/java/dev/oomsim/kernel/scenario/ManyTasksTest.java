package dev.oomsim.kernel.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.kernel.mm.AllocRequest;
import dev.oomsim.kernel.mm.GfpFlags;
import org.junit.jupiter.api.Test;

/** A machine with twenty thousand processes still picks its victim promptly. */
class ManyTasksTest {

    @Test
    void victimSelectionScalesToTwentyThousandTasks() {
        StringBuilder yaml = new StringBuilder("""
                sysctl: {min_free_kbytes: 1024, oom_dump_tasks: 0}
                nodes: [{id: 0, zones: [{type: NORMAL, managed_pages: 1048576, free_pages: 8}]}]
                tasks:
                """);
        for (int i = 0; i < 20000; i++) {
            yaml.append("  - {pid: ").append(100 + i).append(", comm: w").append(i).append(", rss: {0: {anon: ")
                    .append(10 + (i * 7919) % 40).append("}}}\n");
        }
        ScenarioRunner r = Yaml.boot(yaml.toString());
        long start = System.nanoTime();
        EventResult.Alloc res = r.mayOom(new AllocRequest(100, GfpFlags.GFP_KERNEL, 0, 0));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(res.oom().chosen()).isNotNull();
        assertThat(res.oom().chosen().points()).isEqualTo(49);
        assertThat(ms).isLessThan(5000);
    }
}
