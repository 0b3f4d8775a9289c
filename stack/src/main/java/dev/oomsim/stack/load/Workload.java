package dev.oomsim.stack.load;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A workload file (docs/workload-format.md): tasks that spawn, grow at given rates, burst and exit, each with a gfp
 * mix, an order mix and a per-node placement. Values are checked as they are bound; {@link WorkloadFiles} turns a
 * failed check into an error naming the file, line and field.
 *
 * @param name what the workload is, for logs
 * @param profile the kernel profile whose gfp bit layout requests carry ({@code seed} or {@code modern})
 * @param durationS simulated seconds the workload runs (the {@code --duration} default)
 * @param tasks the tasks, in the order they are listed
 */
public record Workload(@JsonProperty(value = "name", required = true) String name,
        @JsonProperty("profile") String profile,
        @JsonProperty(value = "duration_s", required = true) double durationS,
        @JsonProperty(value = "tasks", required = true) List<Task> tasks) {

    public Workload {
        require(name != null && !name.isBlank(), "name", "must be a non-empty string");
        profile = profile == null ? "modern" : profile;
        require(profile.equals("seed") || profile.equals("modern"), "profile",
                "must be seed or modern, got " + profile);
        require(durationS > 0 && durationS <= 86_400, "duration_s", "must be in (0, 86400] seconds, got " + durationS);
        require(tasks != null && !tasks.isEmpty(), "tasks", "must list at least one task");
        tasks = List.copyOf(tasks);
        java.util.Set<Integer> pids = new java.util.HashSet<>();
        for (Task t : tasks) {
            require(pids.add(t.pid()), "tasks", "pid " + t.pid() + " is listed twice");
        }
    }

    /**
     * One task.
     *
     * @param pid its pid (2..4194304; 1 is init)
     * @param comm task->comm, up to 15 characters
     * @param uid owner
     * @param oomScoreAdj -1000..1000
     * @param spawnAtS when it spawns, simulated seconds from the start
     * @param exitAtS when it exits (null: it runs to the end)
     * @param placement node id → weight: which node each request prefers
     * @param gfp gfp expression (e.g. {@code GFP_KERNEL|__GFP_THISNODE}) → weight
     * @param orders order (0..10) → weight
     * @param pagesPerS how fast it grows, pages per simulated second (0: only bursts)
     * @param bursts extra requests at given times
     */
    public record Task(@JsonProperty(value = "pid", required = true) int pid,
            @JsonProperty(value = "comm", required = true) String comm,
            @JsonProperty("uid") int uid,
            @JsonProperty("oom_score_adj") int oomScoreAdj,
            @JsonProperty("spawn_at_s") double spawnAtS,
            @JsonProperty("exit_at_s") Double exitAtS,
            @JsonProperty(value = "placement", required = true) SortedMap<Integer, Integer> placement,
            @JsonProperty(value = "gfp", required = true) Map<String, Integer> gfp,
            @JsonProperty(value = "orders", required = true) SortedMap<Integer, Integer> orders,
            @JsonProperty("pages_per_s") double pagesPerS,
            @JsonProperty("bursts") List<Burst> bursts) {

        public Task {
            require(pid >= 2 && pid <= 4_194_304, "pid", "must be in 2..4194304 (1 is init), got " + pid);
            require(comm != null && !comm.isEmpty() && comm.length() <= 15, "comm", "must be 1 to 15 characters");
            require(oomScoreAdj >= -1000 && oomScoreAdj <= 1000, "oom_score_adj",
                    "must be in -1000..1000, got " + oomScoreAdj);
            require(spawnAtS >= 0, "spawn_at_s", "must be >= 0, got " + spawnAtS);
            require(exitAtS == null || exitAtS > spawnAtS, "exit_at_s", "must be after spawn_at_s (" + spawnAtS + ")");
            weights(placement, "placement");
            for (int node : placement.keySet()) {
                require(node >= 0 && node < 1024, "placement", "node ids must be in 0..1023, got " + node);
            }
            weights(gfp, "gfp");
            weights(orders, "orders");
            for (int order : orders.keySet()) {
                require(order >= 0 && order <= 10, "orders", "orders must be in 0..10 (MAX_ORDER), got " + order);
            }
            require(pagesPerS >= 0 && pagesPerS <= 1e9, "pages_per_s", "must be in 0..1e9, got " + pagesPerS);
            bursts = bursts == null ? List.of() : List.copyOf(bursts);
            placement = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(placement));
            gfp = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(gfp));
            orders = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(orders));
        }
    }

    /**
     * A burst: {@code requests} allocations at once, drawn from the task's mixes.
     *
     * @param atS when, simulated seconds from the start
     * @param requests how many
     */
    public record Burst(@JsonProperty(value = "at_s", required = true) double atS,
            @JsonProperty(value = "requests", required = true) int requests) {
        public Burst {
            require(atS >= 0, "at_s", "must be >= 0, got " + atS);
            require(requests > 0 && requests <= 10_000_000, "requests", "must be in 1..10000000, got " + requests);
        }
    }

    private static void weights(Map<?, Integer> m, String field) {
        require(m != null && !m.isEmpty(), field, "must map at least one entry to a weight");
        for (var e : m.entrySet()) {
            require(e.getValue() != null && e.getValue() > 0, field,
                    "weight of " + e.getKey() + " must be a positive integer, got " + e.getValue());
        }
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new InvalidField(field, message);
        }
    }

    /** A value that fails its check; {@link WorkloadFiles} adds the file, line and path. */
    static final class InvalidField extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final String field;

        InvalidField(String field, String message) {
            super(field + ": " + message);
            this.field = field;
        }
    }
}
