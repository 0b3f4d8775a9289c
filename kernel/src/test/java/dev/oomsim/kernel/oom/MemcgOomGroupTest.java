package dev.oomsim.kernel.oom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.ScenarioException;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import dev.oomsim.kernel.task.Memcg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code memory.oom.group} (v6.1 {@code mem_cgroup_get_oom_group}, {@code oom_kill_process},
 * {@code oom_kill_memcg_member}) and {@code oom_kill_disable} ({@code mem_cgroup_oom}). One zone of 4096 pages, none
 * free, no watermarks: an allocation goes straight to the global OOM killer.
 */
class MemcgOomGroupTest {

    private static final String MACHINE = """
            profile: %s
            sysctl: {min_free_kbytes: 1024, oom_dump_tasks: 0}
            nodes:
              - id: 0
                zones:
                  - {type: NORMAL, managed_pages: 4096, free_pages: 0, watermarks: {min: 0, low: 0, high: 0}}
            memcgs:
            %s
            tasks:
              - {pid: 300, comm: big, memcg: /g/h, rss: {0: {anon: 500}}, total_vm: 500}
              - {pid: 301, comm: buddy, memcg: /g, rss: {0: {anon: 10}}, total_vm: 10}
              - {pid: 302, comm: cousin, memcg: /g/h, rss: {0: {anon: 20}}, total_vm: 20}
              - {pid: 400, comm: other, rss: {0: {anon: 100}}, total_vm: 100}
              - {pid: 1000, comm: loader, oom_score_adj: -1000, rss: {0: {anon: 1}}, total_vm: 1}
            events:
              - alloc: {pid: 1000, gfp: GFP_KERNEL}
            options: {exit_victims_before_retry: false, max_retries: 0}
            """;

    /** The machine under {@code profile} with the memcgs given one per line (each indented as a list item). */
    private static String machine(String profile, String memcgs) {
        StringBuilder items = new StringBuilder();
        for (String line : memcgs.split("\\\\n|\n")) {
            items.append(items.length() == 0 ? "" : "\n").append("  ").append(line.strip());
        }
        return MACHINE.formatted(profile, items);
    }

    private static ScenarioRunner boot(String memcgs) {
        return Yaml.boot(machine("modern", memcgs));
    }

    /**
     * {@code mem_cgroup_get_oom_group} walks from the victim's memcg up to the OOM domain (the root for a global OOM)
     * and keeps the highest memcg with oom.group set; for a memcg OOM it stops at the OOM's memcg.
     */
    @ParameterizedTest(name = "{0} / domain {1} -> {2}")
    @CsvSource(delimiter = '#', nullValues = "none", value = {
        "  - {name: /g, limit_pages: 9999, oom_group: true}\\n  - {name: /g/h, limit_pages: 9999, oom_group: true}"
                + "#none#/g",
        "  - {name: /g, limit_pages: 9999, oom_group: true}\\n  - {name: /g/h, limit_pages: 9999, oom_group: true}"
                + "#/g/h#/g/h",
        "  - {name: /g, limit_pages: 9999}\\n  - {name: /g/h, limit_pages: 9999, oom_group: true}#none#/g/h",
        "  - {name: /g, limit_pages: 9999, oom_group: true}\\n  - {name: /g/h, limit_pages: 9999}#none#/g",
        "  - {name: /g, limit_pages: 9999}\\n  - {name: /g/h, limit_pages: 9999}#none#none",
    })
    void theOomGroupIsTheHighestMemcgWithItSetUpToTheOomDomain(String memcgs, String domain, String group) {
        ScenarioRunner runner = boot(memcgs);
        Memcg found = runner.oomKiller().memcgGetOomGroup(runner.machine().tasks().get(300), domain);
        assertThat(found == null ? null : found.name()).isEqualTo(group);
        assertThat(runner.oomKiller().memcgGetOomGroup(runner.machine().tasks().get(400), domain))
                .as("a task of the root memcg has no oom group").isNull();
    }

    /**
     * A global OOM picks big (500 pages); its memcg /g/h sits under /g, which has oom.group: the kill of big is
     * followed by every process of /g in task-list order, big itself again, buddy and cousin; other (root memcg)
     * lives.
     */
    @Test
    void aGlobalOomKillsTheVictimsWholeOomGroup() {
        ScenarioRun run = Yaml.run(machine("modern", "- {name: /g, limit_pages: 9999, oom_group: true}\n"
                + "- {name: /g/h, limit_pages: 9999}"));
        EventResult.Alloc alloc = (EventResult.Alloc) run.results().get(0);
        assertThat(alloc.oom().chosen().pid()).isEqualTo(300);
        assertThat(alloc.oom().killed()).containsExactly(300, 301, 302);
        assertThat(alloc.log()).filteredOn(l -> l.startsWith("Out of memory: Killed process")
                || l.startsWith("Tasks in")).extracting(l -> l.substring(0, Math.min(l.length(), 40)))
                .containsExactly("Out of memory: Killed process 300 (big) ", "Tasks in /g are going to be killed due t",
                        "Out of memory: Killed process 300 (big) ", "Out of memory: Killed process 301 (buddy",
                        "Out of memory: Killed process 302 (cousi");
    }

    /** {@code oom_kill_disable}: {@code mem_cgroup_oom} returns false, no OOM killer runs and the charge fails. */
    @ParameterizedTest
    @CsvSource({"seed", "modern"})
    void oomKillDisableLeavesTheChargeFailedWithoutAKill(String profile) {
        ScenarioRun run = Yaml.run(machine(profile, "- {name: /g, limit_pages: 10, oom_kill_disable: true}\n"
                + "- {name: /g/h, limit_pages: 520, oom_kill_disable: true}")
                .replace("  - alloc: {pid: 1000, gfp: GFP_KERNEL}", "  - charge: {pid: 300, pages: 100}"));
        EventResult.Charge charge = (EventResult.Charge) run.results().get(0);
        assertThat(charge.charged()).isFalse();
        assertThat(charge.oomCalls()).isEmpty();
        assertThat(charge.log()).isEmpty();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '#', value = {
        "seed#  - {name: /g, limit_pages: 1, oom_group: true}#memcgs[0].oom_group: memory.oom.group exists only under "
                + "profile modern (it came in v4.19)",
        "modern#  - {name: /, limit_pages: 1, oom_group: true}#memcgs[0].oom_group: the root memory cgroup has no "
                + "memory.oom.group",
        "modern#  - {name: /g, limit_pages: 1, oom_group: true, oom_kill_disable: true}#memcgs[0]: oom_group "
                + "(cgroup v2) and oom_kill_disable (cgroup v1) cannot both be set",
        "modern#  - {name: /g, limit_pages: 1, oom_group: 3}#memcgs[0].oom_group: expected true or false, got 3",
    })
    void badMemcgFlagsAreRejectedNamingTheField(String profile, String memcgs, String message) {
        String yaml = machine(profile, memcgs + "\n- {name: /g/h, limit_pages: 9999}")
                .replace("memcg: /g,", "memcg: /g/h,");
        assertThatThrownBy(() -> Yaml.boot(yaml)).isInstanceOf(ScenarioException.class).hasMessage(message);
    }
}
