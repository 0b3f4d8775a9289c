package dev.oomsim.kernel.oom;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.Yaml;
import org.junit.jupiter.api.Test;

/**
 * The modern oom_reaper (v6.1 mm/oom_kill.c: {@code queue_oom_reaper} arms a timer {@code OOM_REAPER_DELAY} = 2 × HZ
 * after the kill; {@code oom_reap_task_mm} unmaps the private memory and logs; {@code oom_reap_task} sets
 * {@code MMF_OOM_SKIP}; {@code oom_evaluate_task} aborts at a victim unless its mm has MMF_OOM_SKIP). One zone of 4096
 * pages, none free, min watermark 100; victims do not exit by themselves.
 */
class OomReaperTest {

    private static final String MACHINE = """
            profile: %s
            sysctl: {min_free_kbytes: 1024, oom_dump_tasks: 0}
            nodes:
              - id: 0
                zones:
                  - {type: NORMAL, managed_pages: 4096, free_pages: 0, watermarks: {min: 100, low: 100, high: 100}}
            tasks:
              - {pid: 300, comm: big, rss: {0: {anon: 50, file: 1000}}, shmem_pages: 7, nr_ptes: 3, total_vm: 3000}
              - {pid: 301, comm: small, rss: {0: {anon: 500}}, nr_ptes: 1, total_vm: 600}
              - {pid: 1000, comm: loader, oom_score_adj: -1000, rss: {0: {anon: 1}}, total_vm: 1}
            events:
            %s
            options: {exit_victims_before_retry: false, max_retries: 0%s}
            """;

    private static ScenarioRun run(String profile, String options, long... times) {
        StringBuilder events = new StringBuilder();
        for (long t : times) {
            events.append("  - alloc: {pid: 1000, gfp: GFP_KERNEL, at_ms: ").append(t).append("}\n");
        }
        return Yaml.run(MACHINE.formatted(profile, events, options));
    }

    private static EventResult.Alloc alloc(EventResult r) {
        return (EventResult.Alloc) (r instanceof EventResult.Reaped reaped ? reaped.result() : r);
    }

    private static List<String> reaperLog(EventResult r) {
        return r instanceof EventResult.Reaped reaped ? reaped.oomReaperLog() : List.of();
    }

    /**
     * Kill of big at 0 ms (badness 50 + 1000 + 7 + 3 = 1060 beats small's 501): the timer expires at 2000. At 1999
     * the search aborts at big; at 2000 the reaper first frees big's 50 anon pages (now anon-rss 0 kB, file-rss
     * 1000 × 4 = 4000 kB, shmem-rss 7 × 4 = 28 kB), then the search passes over big and kills small.
     */
    @Test
    void aVictimAbortsTheSearchUntilItsTimerExpiresThenTheReapedOneIsPassedOver() {
        ScenarioRun run = run("modern", "", 0, 1999, 2000);
        assertThat(alloc(run.results().get(0)).oom().killed()).containsExactly(300);
        assertThat(alloc(run.results().get(0)).oom().chosen().points()).isEqualTo(1060);
        assertThat(alloc(run.results().get(1)).oom().aborted()).isTrue();
        assertThat(reaperLog(run.results().get(1))).isEmpty();
        assertThat(reaperLog(run.results().get(2))).containsExactly(
                "oom_reaper: reaped process 300 (big), now anon-rss:0kB, file-rss:4000kB, shmem-rss:28kB");
        assertThat(alloc(run.results().get(2)).oom().aborted()).isFalse();
        assertThat(alloc(run.results().get(2)).oom().killed()).containsExactly(301);
    }

    /** {@code options.oom_reaper_delay_ms: 500}: the timer of the kill at 0 expires at 500, not at 2000. */
    @Test
    void theDelayIsTheScenariosOption() {
        ScenarioRun run = run("modern", ", oom_reaper_delay_ms: 500", 0, 499, 500);
        assertThat(alloc(run.results().get(1)).oom().aborted()).isTrue();
        assertThat(reaperLog(run.results().get(2))).hasSize(1);
        assertThat(alloc(run.results().get(2)).oom().killed()).containsExactly(301);
    }

    /** v4.4 has no oom_reaper (it came in v4.6): big stays an unreaped victim and every later search aborts. */
    @Test
    void theSeedHasNoReaper() {
        ScenarioRun run = run("seed", "", 0, 5000, 10000);
        assertThat(run.results()).allSatisfy(r -> assertThat(r).isInstanceOf(EventResult.Alloc.class));
        assertThat(alloc(run.results().get(2)).oom().aborted()).isTrue();
    }

    /** Without a clock the model cannot tell when a timer would fire: no timer is armed, nothing is reaped. */
    @Test
    void withoutAClockNothingIsReaped() {
        String yaml = MACHINE.formatted("modern", """
                  - alloc: {pid: 1000, gfp: GFP_KERNEL}
                  - alloc: {pid: 1000, gfp: GFP_KERNEL}
                """, "");
        ScenarioRun run = Yaml.run(yaml);
        assertThat(run.results()).allSatisfy(r -> assertThat(r).isInstanceOf(EventResult.Alloc.class));
        assertThat(alloc(run.results().get(1)).oom().aborted()).isTrue();
    }
}
