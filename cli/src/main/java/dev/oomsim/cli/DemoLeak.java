package dev.oomsim.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.stack.ScenarioPlayback;

/**
 * The machine and memory leak of {@code oomsim demo}: four small NUMA nodes mostly held by pinned memory (a task at
 * oom_score_adj -1000 that the OOM killer never picks), a web server, and four leaking workers started one after the
 * other. The running leaker allocates GFP_KERNEL order-3 blocks round the nodes; when the machine runs dry the OOM
 * killer picks it (by then the biggest task), its pages come back, and the next leaker grows into them — one kill
 * per leaker.
 */
final class DemoLeak {

    static final int NODES = 4;
    static final long NODE_PAGES = 2048;
    static final int LEAK_ORDER = 3;
    /** The leakers' pids, in the order they run. */
    static final List<Integer> LEAKERS = List.of(300, 301, 302, 303);

    private final Scenario machine;
    private int leaker;
    private long sequence;

    DemoLeak() {
        this.machine = ScenarioParser.parse(tree());
    }

    Scenario machine() {
        return machine;
    }

    /** The scenario tree of the demo machine (no events: the leak is driven live). */
    static Map<String, Object> tree() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("profile", "seed");
        root.put("arch", "x86_64");
        root.put("sysctl", Map.of("min_free_kbytes", 1024));
        List<Object> nodes = new ArrayList<>();
        Map<Integer, Object> pinned = new LinkedHashMap<>();
        Map<Integer, Object> web = new LinkedHashMap<>();
        Map<Integer, Object> firstLeak = new LinkedHashMap<>();
        for (int id = 0; id < NODES; id++) {
            long used = 1300 + 150 + 250 + (id == 0 ? 100 : 0);
            // Free memory in order-3 blocks (the rest order 0): the leak grows before the first OOM, not at once.
            long free = NODE_PAGES - used;
            nodes.add(Map.of("id", id, "zones", List.of(Map.of("type", "NORMAL", "managed_pages", NODE_PAGES,
                    "free", Map.of(0, free % 8, LEAK_ORDER, free / 8)))));
            pinned.put(id, Map.of("anon", 1300));
            web.put(id, Map.of("anon", 120, "file", 30));
            firstLeak.put(id, Map.of("anon", 250));
        }
        root.put("nodes", nodes);
        List<Object> tasks = new ArrayList<>();
        tasks.add(Map.of("pid", 1, "comm", "init", "flags", List.of("global_init"),
                "rss", Map.of(0, Map.of("anon", 100))));
        tasks.add(Map.of("pid", 100, "comm", "hugetlb-pool", "oom_score_adj", -1000, "rss", pinned, "nr_ptes", 8,
                "total_vm", 5200));
        tasks.add(Map.of("pid", 200, "comm", "nginx", "uid", 33, "rss", web, "nr_ptes", 4, "total_vm", 2400));
        for (int pid : LEAKERS) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("pid", pid);
            t.put("comm", "leaky-worker");
            t.put("uid", 1000);
            t.put("parent", 1);
            if (pid == LEAKERS.get(0)) {
                t.put("rss", firstLeak);
            }
            t.put("nr_ptes", 2);
            t.put("total_vm", 8000);
            tasks.add(t);
        }
        root.put("tasks", tasks);
        return root;
    }

    /** The running leaker, or -1 when every leaker has been killed. */
    int leaker() {
        return leaker < LEAKERS.size() ? LEAKERS.get(leaker) : -1;
    }

    /** The node the next allocation asks for first (round the nodes). */
    int nextNode() {
        return (int) (sequence % NODES);
    }

    /** The next allocation of the running leaker, on {@link #nextNode()}. */
    AllocRequest next() {
        int node = nextNode();
        Scenario.AllocEvent event = new Scenario.AllocEvent("demo[" + sequence + "]", leaker(), GfpFlags.GFP_KERNEL,
                LEAK_ORDER, node);
        AllocRequest request = ScenarioPlayback.command("demo-" + sequence, (int) sequence, event, machine.profile());
        sequence++;
        return request;
    }

    /** A kill happened: when it took the running leaker, the next one starts. */
    void killed(int victimPid) {
        if (victimPid == leaker()) {
            leaker++;
        }
    }

    long requests() {
        return sequence;
    }
}
