package dev.oomsim.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.scenario.ScenarioException;

/**
 * Everything {@code oomsim explain} says of one text (a file, or a report pasted into the coordinator's dashboard):
 * each OOM report in it rebuilt on the model and checked against the kernel's decision, the what-if beside it, or
 * why the report cannot be rebuilt; and how many lines lay outside any report. The command line and the
 * coordinator's {@code /api/explain} both print this, so they say the same.
 */
public record Explanation(List<Item> items, int lines, int linesOutsideReports) {

    /** One report: its decision (and the what-if's), or the reason it cannot be rebuilt. */
    public record Item(ParsedReport report, Verdict original, Verdict changed, String error) {

        /** The report's explanation as a tree for JSON: the verdict's, with the what-if's under {@code what_if}. */
        public Map<String, Object> toTree() {
            if (error != null) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("report_line", report.firstLine());
                out.put("error", error);
                return out;
            }
            Map<String, Object> out = new LinkedHashMap<>(original.toTree());
            if (changed != null) {
                out.put("what_if", changed.toTree());
            }
            return out;
        }

        /** The report's explanation as text, the what-if after it; the reason when it cannot be rebuilt. */
        public String render() {
            if (error != null) {
                return "report at line " + report.firstLine() + ": " + error + "\n";
            }
            String text = original.render();
            return changed == null ? text : text + "--- what if " + changed.change().describe() + ":\n"
                    + changed.render();
        }
    }

    public Explanation {
        items = List.copyOf(items);
    }

    /** Every report of {@code lines} explained, each with {@code change} beside it unless it changes nothing. */
    public static Explanation of(List<String> lines, WhatIf change) {
        ReportParser.Result result = ReportParser.parse(lines);
        List<Item> items = new ArrayList<>();
        for (ParsedReport r : result.reports()) {
            try {
                Verdict original = Verdict.of(r, WhatIf.NONE);
                items.add(new Item(r, original, change.isNone() ? null : Verdict.of(r, change), null));
            } catch (Rebuild.IncompleteReportException | ScenarioException e) {
                items.add(new Item(r, null, null, e.getMessage()));
            }
        }
        return new Explanation(items, result.lines(), result.linesOutsideReports());
    }
}
