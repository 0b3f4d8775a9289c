package dev.oomsim.coordinator.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.report.Explanation;
import dev.oomsim.report.WhatIf;

/**
 * {@code POST /api/explain}: a kernel OOM report pasted into the dashboard (the request body, as {@code dmesg},
 * {@code journalctl -k} or syslog printed it), rebuilt on the model and explained exactly as {@code oomsim explain
 * --json} explains a file, each report's text beside its tree. What-ifs come as parameters: {@code set} (a comma list
 * of {@code PID.oom_score_adj=N}), {@code kill} (a comma list of pids), {@code profile} ({@code seed} or
 * {@code modern}) and {@code add_swap} (pages). Needs no Kafka: any coordinator answers it at once.
 */
final class ExplainEndpoint {

    /** The largest report accepted: a report is a few hundred lines, a whole boot's dmesg a few megabytes. */
    static final int MAX_BYTES = 8 << 20;

    private ExplainEndpoint() {
    }

    /**
     * The explanation of {@code body}'s reports as a tree for JSON.
     *
     * @throws ApiException 400 for a body with no report or a malformed what-if, 413 for a body over the limit
     */
    static Map<String, Object> explain(byte[] body, QueryParams params) {
        if (body.length > MAX_BYTES) {
            throw new ApiException(413, "too_large", "a report of at most " + MAX_BYTES + " bytes, was more");
        }
        WhatIf change = whatIf(params);
        List<String> lines = new String(body, StandardCharsets.UTF_8).lines().toList();
        Explanation explanation = Explanation.of(lines, change);
        if (explanation.items().isEmpty()) {
            throw new ApiException(400, "no_report", "no OOM report in the " + lines.size()
                    + " lines posted (no 'invoked oom-killer' line): paste the kernel's report, as dmesg prints it");
        }
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("lines", explanation.lines());
        tree.put("lines_outside_reports", explanation.linesOutsideReports());
        List<Map<String, Object>> reports = new ArrayList<>();
        for (Explanation.Item item : explanation.items()) {
            Map<String, Object> report = new LinkedHashMap<>(item.toTree());
            report.put("text", item.render());
            reports.add(report);
        }
        tree.put("reports", reports);
        return tree;
    }

    private static WhatIf whatIf(QueryParams params) {
        try {
            Map<Integer, Integer> adj = WhatIf.adjustments(list(params.values().get("set")));
            List<Integer> removed = new ArrayList<>();
            for (String pid : list(params.values().get("kill"))) {
                removed.add(Integer.parseInt(pid));
            }
            String profile = params.values().get("profile");
            long swap = params.longIn("add_swap", 0, 0, Long.MAX_VALUE);
            return new WhatIf(adj, removed, profile == null || profile.isEmpty() ? null : profile, swap);
        } catch (NumberFormatException e) {
            throw ApiException.badParameter("'kill' is a comma list of pids: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badParameter(e.getMessage());
        }
    }

    private static List<String> list(String value) {
        return value == null || value.isBlank() ? List.of()
                : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
