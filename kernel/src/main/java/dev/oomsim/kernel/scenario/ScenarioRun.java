package dev.oomsim.kernel.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished run: the boot report, one result per processed event (processing stops after a panic), and the final
 * state. {@link #toTrees()} is what {@code oomsim simulate --json} prints, one tree per line.
 */
public record ScenarioRun(Map<String, Object> boot, List<EventResult> results, Map<String, Object> state) {

    /** Copies the parts. */
    public ScenarioRun {
        results = List.copyOf(results);
    }

    /** {@code {"boot": …}}, each result, {@code {"state": …}}, in print order. */
    public List<Map<String, Object>> toTrees() {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("boot", boot);
        out.add(b);
        for (EventResult r : results) {
            out.add(r.toTree());
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("state", state);
        out.add(s);
        return out;
    }

    /** The JSON lines, each ending in a newline. */
    public String toJsonLines() {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> t : toTrees()) {
            sb.append(JsonText.write(t)).append('\n');
        }
        return sb.toString();
    }
}
