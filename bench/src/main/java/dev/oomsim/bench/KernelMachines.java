package dev.oomsim.bench;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.Zone;
import dev.oomsim.kernel.mm.ZoneType;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;

/**
 * Booted kernel-model machines for the kernel benchmarks, described as scenario files are (docs/scenario-format.md) and
 * booted by the same parser and runner as {@code oomsim simulate}. Pages are 4 KiB.
 */
public final class KernelMachines {

    /** 16 GiB in 4 KiB pages. */
    public static final long PAGES_16_GIB = 16L << 18;
    /** 64 GiB in 4 KiB pages. */
    public static final long PAGES_64_GIB = 64L << 18;
    /** The task the benchmarks allocate for. */
    public static final int BENCH_PID = 100;

    private static final long MAX_ORDER_PAGES = 1024;

    private KernelMachines() {
    }

    /**
     * One node with one NORMAL zone of {@code pages} pages, all free in order-10 blocks but one, whose 1024 pages
     * the task {@link #BENCH_PID} holds (1000 of them as rss).
     */
    public static ScenarioRunner oneZone(long pages) {
        return boot("""
                {"profile": "seed",
                 "nodes": [{"id": 0, "zones": [{"type": "NORMAL", "managed_pages": %d, "free": {"10": %d}}]}],
                 "tasks": [{"pid": %d, "comm": "bench", "rss": {"0": {"anon": 1000}}, "total_vm": 2000}]}
                """.formatted(pages, pages / MAX_ORDER_PAGES - 1, BENCH_PID));
    }

    /**
     * One node with a 16 GiB NORMAL zone, half free, and {@code tasks} processes holding 100–199 anonymous pages
     * each (pids 1000 on), plus {@link #BENCH_PID}: the task table {@code select_bad_process} walks.
     */
    public static ScenarioRunner withTasks(int tasks) {
        StringBuilder list = new StringBuilder();
        list.append("{\"pid\": ").append(BENCH_PID)
                .append(", \"comm\": \"bench\", \"rss\": {\"0\": {\"anon\": 10}}, \"total_vm\": 20}");
        for (int i = 0; i < tasks; i++) {
            long anon = 100 + (i * 37L) % 100;
            list.append(",\n{\"pid\": ").append(1000 + i).append(", \"comm\": \"task").append(i)
                    .append("\", \"uid\": ").append(1000 + i % 50)
                    .append(", \"rss\": {\"0\": {\"anon\": ").append(anon).append("}}, \"total_vm\": ").append(anon * 2)
                    .append(", \"oom_score_adj\": ").append((i % 7) * 100 - 300).append('}');
        }
        return boot("""
                {"profile": "seed",
                 "nodes": [{"id": 0, "zones": [{"type": "NORMAL", "managed_pages": %d, "free": {"10": %d}}]}],
                 "tasks": [%s]}
                """.formatted(PAGES_16_GIB, PAGES_16_GIB / MAX_ORDER_PAGES / 2, list));
    }

    /** Node 0's NORMAL zone. */
    public static Zone normalZone(Machine machine) {
        return machine.zone(0, machine.arch().zoneIndex(ZoneType.NORMAL));
    }

    private static ScenarioRunner boot(String json) {
        try {
            Map<?, ?> tree = new ObjectMapper().readValue(json, Map.class);
            return new ScenarioRunner(ScenarioParser.parse(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bench scenario is not valid JSON: " + e.getMessage(), e);
        }
    }
}
