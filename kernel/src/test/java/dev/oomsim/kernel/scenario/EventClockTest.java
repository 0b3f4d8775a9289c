package dev.oomsim.kernel.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * The logical clock of each event (docs/scenario-format.md, {@code at_ms}), and what the OOM report's rate limit
 * ({@code oom_rs} in {@code oom_kill_process}, mm/oom_kill.c, through {@code ___ratelimit}, lib/ratelimit.c: 10 per
 * {@code 5 * HZ}) makes of real gaps between kills.
 */
class EventClockTest {

    private static final String MACHINE = """
            sysctl: {min_free_kbytes: 1024, oom_dump_tasks: 0}
            nodes:
              - id: 0
                zones:
                  - {type: NORMAL, managed_pages: 4096, free_pages: 0, watermarks: {min: 0, low: 0, high: 0}}
            tasks:
            %s  - {pid: 1000, comm: loader, oom_score_adj: -1000, rss: {0: {anon: 1}}, total_vm: 1}
            events:
            %s""";

    private static String scenario(int victims, String events) {
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < victims; i++) {
            tasks.append("  - {pid: ").append(200 + i).append(", comm: v").append(i)
                    .append(", rss: {0: {anon: 1}}, total_vm: 1}\n");
        }
        return MACHINE.formatted(tasks, events);
    }

    private static List<Long> clocks(Scenario s) {
        return IntStream.range(0, s.events().size()).mapToObj(s::clockMs).toList();
    }

    @Test
    void anEventWithoutAtMsRunsAtTheTimeOfTheEventBeforeIt() {
        Scenario s = ScenarioParser.parse(Yaml.tree(scenario(0, """
                  - oom_score: {pid: 1000}
                  - oom_score: {pid: 1000, at_ms: 250}
                  - oom_score: {pid: 1000}
                  - oom_score: {pid: 1000, at_ms: 250}
                  - oom_score: {pid: 1000, at_ms: 7000}
                """)));
        assertThat(clocks(s)).containsExactly(0L, 250L, 250L, 250L, 7000L);
    }

    @Test
    void timeMsPerEventGivesEventITimesItAndNoTimeGivesNoClock() {
        Scenario perEvent = ScenarioParser.parse(Yaml.tree(scenario(0, """
                  - oom_score: {pid: 1000}
                  - oom_score: {pid: 1000}
                  - oom_score: {pid: 1000}
                options: {time_ms_per_event: 40}
                """)));
        assertThat(clocks(perEvent)).containsExactly(0L, 40L, 80L);
        Scenario none = ScenarioParser.parse(Yaml.tree(scenario(0, """
                  - oom_score: {pid: 1000}
                  - oom_score: {pid: 1000}
                """)));
        assertThat(clocks(none)).containsExactly(Scenario.NO_CLOCK, Scenario.NO_CLOCK);
    }

    /**
     * Worked from {@code ___ratelimit}: the first call sets {@code begin}; a call prints while {@code printed <
     * burst} (10); the interval restarts only when {@code time_is_before_jiffies(begin + interval)}, i.e. strictly
     * after begin + 5000 ms. Kills at 0 and 4000 ms print; ten more at 4100..5000 ms: the first eight print (10 in the
     * window that began at 0), the ninth and tenth (4900, 5000) do not; at 5001 a new window begins at 5001, and a
     * kill at 10001 is still inside it (not after 10001), so it prints as the second of that window.
     */
    @Test
    void theReportHeaderFollowsTheGapsBetweenKills() {
        StringBuilder events = new StringBuilder();
        long[] times = {0, 4000, 4100, 4200, 4300, 4400, 4500, 4600, 4700, 4800, 4900, 5000, 5001, 10001};
        for (long t : times) {
            events.append("  - alloc: {pid: 1000, gfp: GFP_KERNEL, at_ms: ").append(t).append("}\n");
        }
        ScenarioRun run = Yaml.run(scenario(times.length, events.toString()));
        List<Boolean> headers = run.results().stream().map(r -> ((EventResult.Alloc) r).log().stream()
                .anyMatch(l -> l.contains("invoked oom-killer"))).toList();
        assertThat(headers).containsExactly(true, true, true, true, true, true, true, true, true, true, false, false,
                true, true);
        assertThat(run.results()).allSatisfy(r -> assertThat(((EventResult.Alloc) r).log())
                .anyMatch(l -> l.startsWith("Killed process ")));
    }
}
