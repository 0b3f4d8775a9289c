package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import dev.oomsim.kernel.task.Task;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cpuset rule of docs/kernel-model.md §7 for node 1, requester in a child cpuset holding node 0. */
class CpusetRuleTest {

    @ParameterizedTest(name = "cpuset {0}, gfp {1}, flags [{2}] -> {3}")
    @CsvSource({
        "/soft, GFP_KERNEL, , true",
        "/soft, GFP_USER, , false",
        "/hard, GFP_KERNEL, , false",
        "/hard, GFP_KERNEL, exiting, true",
        "/hard, GFP_USER, exiting, false",
        "/hard, GFP_USER, memdie, true",
        "/wall/soft, GFP_KERNEL, , false",
        "/open, GFP_KERNEL, , true",
        "/, GFP_USER, , true",
    })
    void nodeOneIsAllowedOnlyAsTheRuleSays(String cpuset, String gfp, String flags, boolean allowed) {
        ScenarioRunner r = Yaml.boot("""
                nodes:
                  - {id: 0, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}
                  - {id: 1, zones: [{type: NORMAL, managed_pages: 4096, free_pages: 8}]}
                cpusets:
                  - {name: /soft, mems: [0], hardwall: false}
                  - {name: /hard, mems: [0], hardwall: true}
                  - {name: /wall, mems: [0], hardwall: true}
                  - {name: /wall/soft, mems: [0], hardwall: false}
                  - {name: /open, mems: [0, 1], hardwall: true}
                tasks:
                  - {pid: 10, comm: t, cpuset: %s, flags: [%s]}
                """.formatted(cpuset, flags == null ? "" : flags));
        Task t = r.machine().tasks().get(10);
        GfpFlags g = GfpFlags.parse(gfp, r.machine().profile(), Arch.X86_64);
        assertThat(r.allocator().cpusetNodeAllowed(1, g, t)).isEqualTo(allowed);
    }
}
