package dev.oomsim.kernel.oom;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.api.Test;

/**
 * A task's shmem pages ({@code tasks[i].shmem_pages}, the mm's MM_SHMEMPAGES) in the badness, the task dump and the
 * kill line of each profile. Numbers worked by hand: totalpages = 4096 (one zone, no swap); db holds anon 300, file 20,
 * shmem 500 and 6 page-table pages; batch anon 700 and 2.
 */
class ShmemRssTest {

    private static final String MACHINE = """
            profile: %s
            nodes:
              - id: 0
                zones:
                  - {type: NORMAL, managed_pages: 4096, free_pages: 0, watermarks: {min: 0, low: 0, high: 0}}
            tasks:
              - {pid: 300, comm: db, rss: {0: {anon: 300, file: 20}}, shmem_pages: 500, nr_ptes: 6, total_vm: 2000}
              - {pid: 301, comm: batch, rss: {0: {anon: 700}}, nr_ptes: 2, total_vm: 1000}
              - {pid: 1000, comm: loader, oom_score_adj: -1000, rss: {0: {anon: 1}}, total_vm: 1}
            events:
              - oom_score: {pid: 300}
              - oom_score: {pid: 301}
              - alloc: {pid: 1000, gfp: GFP_KERNEL}
            """;

    private static List<Long> scores(ScenarioRun run) {
        return run.results().subList(0, 2).stream().map(r -> ((EventResult.OomScore) r).oomScore()).toList();
    }

    private static EventResult.Alloc kill(ScenarioRun run) {
        return (EventResult.Alloc) run.results().get(2);
    }

    /**
     * v4.4 has no MM_SHMEMPAGES (added in v4.5): shmem pages are MM_FILEPAGES, so {@code get_mm_rss} = 820 and
     * {@code oom_badness} = 820 + 6 = 826 (db) against 700 + 2 = 702 (batch); {@code proc_oom_score} reads
     * 826 × 1000 / 4096 = 201 and 171; {@code dump_tasks} prints rss 820; {@code oom_kill_process} prints
     * file-rss = K(MM_FILEPAGES) = (20 + 500) × 4 = 2080 kB.
     */
    @Test
    void seedCountsShmemAsFileRss() {
        ScenarioRun run = Yaml.run(MACHINE.formatted("seed"));
        assertThat(scores(run)).containsExactly(201L, 171L);
        assertThat(kill(run).log()).contains(
                "[  300]     0   300     2000      820       6       0        0             0 db",
                "Out of memory: Kill process 300 (db) score 201 or sacrifice child",
                "Killed process 300 (db) total-vm:8000kB, anon-rss:1200kB, file-rss:2080kB");
    }

    /**
     * v6.1 {@code oom_badness}: {@code get_mm_rss} (file + anon + shmem) = 820, + 6 page-table pages = 826; batch 702.
     * {@code proc_oom_score}: (1000 + 826 × 1000 / 4096) × 2 / 3 = (1000 + 201) × 2 / 3 = 800, and
     * (1000 + 171) × 2 / 3 = 780. {@code __oom_kill_process} prints the three counters apart: anon 1200 kB, file 80 kB,
     * shmem-rss 2000 kB.
     */
    @Test
    void modernCountsShmemInBadnessAndPrintsItApart() {
        ScenarioRun run = Yaml.run(MACHINE.formatted("modern"));
        assertThat(scores(run)).containsExactly(800L, 780L);
        assertThat(kill(run).log()).contains(
                "[    300]     0   300     2000      820    24576        0             0 db",
                "Out of memory: Killed process 300 (db) total-vm:8000kB, anon-rss:1200kB, file-rss:80kB, "
                        + "shmem-rss:2000kB, UID:0 pgtables:24kB oom_score_adj:0");
    }

    /** The shmem pages are not the task's to free: the kill gives back its 320 anon and file pages only. */
    @Test
    void theKillFreesTheAnonAndFilePagesNotTheShmemOnes() {
        ScenarioRun run = Yaml.run(MACHINE.formatted("modern"));
        assertThat(kill(run).page()).isNotNull();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> zones = (List<Map<String, Object>>) run.state().get("zones");
        assertThat(((Number) zones.get(0).get("free")).longValue()).isEqualTo(320 - 1);
    }
}
