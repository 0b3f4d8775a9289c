package dev.oomsim.kernel.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScenarioParserTest {

    private static final String BASE = """
            nodes:
              - id: 0
                zones:
                  - {type: DMA, managed_pages: 4000, free_pages: 8}
                  - {type: NORMAL, managed_pages: 8192, free_pages: 8}
            tasks:
              - {pid: 900, comm: java, rss: {0: {anon: 100}}}
            events:
              - alloc: {pid: 900, gfp: GFP_KERNEL, order: 0}
            """;

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '#', value = {
        "managed_pages: 8192#managed_pags: 8192#nodes[0].zones[1].managed_pags: unknown field",
        "managed_pages: 8192#managed_pages: -1#nodes[0].zones[1].managed_pages: must be in [0, 1099511627776], got -1",
        "managed_pages: 8192#managed_pages: 1.5#nodes[0].zones[1].managed_pages: expected a whole number, got 1.5",
        "managed_pages: 8192#managed_pages: lots#nodes[0].zones[1].managed_pages: expected a number, got \"lots\"",
        "gfp: GFP_KERNEL#gfp: \"GFP_KERNEL|__GFP_BOGUS\"#events[0].alloc.gfp: unknown gfp flag __GFP_BOGUS for "
        + "profile seed",
        "gfp: GFP_KERNEL#gfp: \"GFP_DMA|GFP_DMA32\"#events[0].alloc.gfp: gfp 0x5: invalid zone modifier combination "
        + "0x5",
        "order: 0}#order: 0, nodes: 1}#events[0].alloc.nodes: unknown field",
        "{pid: 900, comm: java#{pid: 900, comm: averyveryverylongname#tasks[0].comm: must be 1..15 characters, got "
        + "\"averyveryverylongname\"",
        "rss: {0: {anon: 100}}#rss: {0: {anon: 100, shmem: 4}}#tasks[0].rss.0.shmem: unknown field",
        "rss: {0: {anon: 100}}#rss: {0: {anon: 100}}, shmem_pages: -1#tasks[0].shmem_pages: must be in [0, "
        + "1099511627776], got -1",
        "rss: {0: {anon: 100}}}#rss: {0: {anon: 100}}}\\n  - {pid: 901, comm: thr, mm: 900, shmem_pages: 4}#"
        + "tasks[1].shmem_pages: a task sharing mm 900 leaves the counters to the mm's owner",
        "rss: {0: {anon: 100}}#rss: {3: {anon: 100}}#tasks[0].rss.3: must be in [0, 0], got 3",
        "rss: {0: {anon: 100}}#rss: {0: {anon: 100}}, oom_score_adj: 1001#tasks[0].oom_score_adj: must be in [-1000, "
        + "1000], got 1001",
        "rss: {0: {anon: 100}}#rss: {0: {anon: 100}}, flags: [zombie]#tasks[0].flags[0]: unknown task flag zombie",
        "alloc: {pid: 900#alloc: {pid: 901#events[0].alloc.pid: no task with pid 901",
        "free_pages: 8}#free_pages: 8, free: {0: 1}}#nodes[0].zones[0]: give only one of free, free_pages and "
        + "free_blocks",
        "type: DMA,#type: HIGHMEM,#nodes[0].zones[0].type: HIGHMEM does not exist on x86_64",
        "tasks:#cpusets: [{name: /a, mems: [2]}]\\ntasks:#cpusets[0].mems[0]: must be in [0, 0], got 2",
        "alloc: {pid#exit: {pid#events[0].exit.gfp: unknown field",
        "order: 0}#order: 0, at_ms: -5}#events[0].alloc.at_ms: must be in [0, 1099511627776], got -5",
        "order: 0}#order: 0, at_ms: 1.5}#events[0].alloc.at_ms: expected a whole number, got 1.5",
        "order: 0}#order: 0, at_ms: 5}\\noptions: {time_ms_per_event: 100}#events[0].alloc.at_ms: cannot be combined "
        + "with options.time_ms_per_event",
        "order: 0}#order: 0, at_ms: 5}\\n  - exit: {pid: 900, at_ms: 4}#events[1].exit.at_ms: must be >= 5 (the time "
        + "of the event before it), got 4",
    })
    void badInputIsRejectedNamingTheFieldByPath(String from, String to, String message) {
        String yaml = BASE.replace(from, to.replace("\\n", "\n"));
        assertThatThrownBy(() -> ScenarioParser.parse(Yaml.tree(yaml)))
                .isInstanceOf(ScenarioException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '#', value = {
        "rss: {0: {anon: 100}}#rss: {0: {anon: 20000}}#tasks[0].rss.0: zone node 0 NORMAL: tasks hold 20000 pages "
                + "but only 8184 are not free",
        "managed_pages: 4000, free_pages: 8#managed_pages: 4000, free_blocks: [{pfn: 3, order: 1}]#nodes: "
        + "nodes[0].zones[0]: free block at pfn 3 is not aligned to order 1",
    })
    void inconsistentMachinesAreRejectedAtBoot(String from, String to, String message) {
        String yaml = BASE.replace(from.replace("\\n", "\n"), to.replace("\\n", "\n"));
        assertThat(yaml).isNotEqualTo(BASE);
        assertThatThrownBy(() -> Yaml.boot(yaml)).isInstanceOf(ScenarioException.class).hasMessage(message);
    }
}
