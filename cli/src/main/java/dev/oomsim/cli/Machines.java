package dev.oomsim.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;

/**
 * The machine a long-running stack simulates: a scenario file's machine (its events are not played), or a plain
 * machine of N nodes when the user names none.
 */
final class Machines {

    /** Pages of each node of the plain machine: 1 GiB of 4 KiB pages in one NORMAL zone. */
    static final long PLAIN_NODE_PAGES = 262_144;
    /** The most nodes a plain machine has (64: a big NUMA machine; the kernel allows more). */
    static final int MAX_NODES = 64;

    private Machines() {
    }

    /** The machine of a scenario file (YAML or JSON, validated with messages naming the field path). */
    static Scenario fromFile(Path file) {
        return ScenarioParser.parse(ScenarioFiles.readTree(file));
    }

    /**
     * A plain x86_64 machine of {@code nodes} nodes, each one NORMAL zone of {@value #PLAIN_NODE_PAGES} pages free in
     * order-10 blocks but for init's, and one task: init (pid 1, the global init the OOM killer never picks).
     */
    static Scenario plain(int nodes) {
        return ScenarioParser.parse(plainTree(nodes));
    }

    /** The scenario tree of {@link #plain(int)}, without events (tests add some). */
    static Map<String, Object> plainTree(int nodes) {
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new UsageFailure("--nodes must be 1.." + MAX_NODES + ", not " + nodes);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("profile", "seed");
        root.put("arch", "x86_64");
        List<Object> nodeList = new ArrayList<>();
        for (int id = 0; id < nodes; id++) {
            Map<String, Object> zone = new LinkedHashMap<>();
            zone.put("type", "NORMAL");
            zone.put("managed_pages", PLAIN_NODE_PAGES);
            // init's pages on node 0 are not free: one order-10 block fewer there.
            zone.put("free", Map.of(10, PLAIN_NODE_PAGES / 1024 - (id == 0 ? 1 : 0)));
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", id);
            node.put("zones", List.of(zone));
            nodeList.add(node);
        }
        root.put("nodes", nodeList);
        Map<String, Object> init = new LinkedHashMap<>();
        init.put("pid", 1);
        init.put("comm", "init");
        init.put("flags", List.of("global_init"));
        init.put("rss", Map.of(0, Map.of("anon", 1024)));
        root.put("tasks", List.of(init));
        return root;
    }
}
