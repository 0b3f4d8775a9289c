package dev.oomsim.bench.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;

/**
 * The machines the node-agent rows boot, as scenario trees (docs/scenario-format.md): the same tree is parsed for the
 * in-process model that predicts every outcome, handed to the agents, and written as a machine file for an agent
 * service in its own JVM. Pages are 4 KiB.
 */
public final class AgentMachines {

    /** 64 GiB in 4 KiB pages. */
    public static final long PAGES_64_GIB = 64L << 18;
    /** Tasks that allocate on each node of a throughput machine. */
    public static final int TASKS_PER_NODE = 8;
    /** The task whose requests trigger the OOM killer on the victims machine (oom_score_adj -1000: never chosen). */
    public static final int TRIGGER_PID = 1000;
    /** First pid of the victims machine's killable tasks. */
    public static final int FIRST_VICTIM_PID = 2000;

    private static final long MAX_ORDER_PAGES = 1024;
    private static final long ANON_PAGES_PER_TASK = 100;
    private static final long VICTIM_ANON_PAGES = 4;
    /** The most victims whose freed pages (and the 64 free at boot) stay below the 6144-page high watermark. */
    public static final int MAX_VICTIMS = (int) ((6144 - 64 - 1) / VICTIM_ANON_PAGES);

    private AgentMachines() {
    }

    /**
     * A machine of {@code nodes} nodes of 64 GiB each (one NORMAL zone), every node free in order-10 blocks but one,
     * of whose 1024 pages the node's {@link #TASKS_PER_NODE} tasks hold 100 each: pids {@link #pid(int, int)}.
     * Their mempolicy is the default, so a request preferring their node is served from its zones.
     */
    public static Map<String, Object> throughput(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("nodes must be >= 1, was " + nodes);
        }
        List<Object> nodeList = new ArrayList<>();
        List<Object> tasks = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            nodeList.add(Map.of("id", n, "zones", List.of(Map.of("type", "NORMAL", "managed_pages", PAGES_64_GIB,
                    "free", Map.of("10", PAGES_64_GIB / MAX_ORDER_PAGES - 1)))));
            for (int t = 0; t < TASKS_PER_NODE; t++) {
                tasks.add(task(pid(n, t), "load-n" + n + "-" + t, n, ANON_PAGES_PER_TASK, 0));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("profile", "seed");
        m.put("nodes", nodeList);
        m.put("tasks", tasks);
        return m;
    }

    /** The pid of task {@code t} (0..{@link #TASKS_PER_NODE}-1) of node {@code node} on a throughput machine. */
    public static int pid(int node, int t) {
        return 10_000 + node * 100 + t;
    }

    /**
     * One node whose 1 GiB NORMAL zone is out of memory (64 free pages, far below the high watermark of 6144 pages
     * that {@code min_free_kbytes} 16384 gives), with {@code victims} killable tasks of 4 anonymous pages each (pids
     * from {@link #FIRST_VICTIM_PID}) and the trigger task {@link #TRIGGER_PID}. Every {@code may_oom} request of
     * the trigger kills one victim, which exits before the next request (the default
     * {@code exit_victims_before_retry}); the freed pages keep the zone below its high watermark as long as
     * {@code victims * 4 + 64 < 6144}. {@code oom_dump_tasks} is 0, so every kill reports the same few lines
     * instead of a task dump that the report rate limit cuts after ten.
     */
    public static Map<String, Object> oomVictims(int victims) {
        if (victims < 1 || victims > MAX_VICTIMS) {
            throw new IllegalArgumentException("victims must be 1.." + MAX_VICTIMS + ", was " + victims);
        }
        List<Object> tasks = new ArrayList<>();
        tasks.add(task(TRIGGER_PID, "trigger", 0, 1, -1000));
        for (int i = 0; i < victims; i++) {
            tasks.add(task(FIRST_VICTIM_PID + i, "victim-" + i, 0, VICTIM_ANON_PAGES, 0));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("profile", "seed");
        m.put("sysctl", Map.of("min_free_kbytes", 16384, "oom_dump_tasks", 0));
        m.put("nodes", List.of(Map.of("id", 0, "zones", List.of(Map.of("type", "NORMAL", "managed_pages", 1L << 18,
                "free_pages", 64)))));
        m.put("tasks", tasks);
        return m;
    }

    public static Scenario parse(Map<String, Object> tree) {
        return ScenarioParser.parse(tree);
    }

    /** The tree as a machine file's text (JSON, which the agent's YAML reader reads too). */
    public static String json(Map<String, Object> tree) {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("machine tree is not serialisable: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> task(int pid, String comm, int node, long anon, int oomScoreAdj) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("pid", pid);
        t.put("comm", comm);
        t.put("rss", Map.of(Integer.toString(node), Map.of("anon", anon)));
        t.put("total_vm", anon * 2);
        if (oomScoreAdj != 0) {
            t.put("oom_score_adj", oomScoreAdj);
        }
        return t;
    }
}
