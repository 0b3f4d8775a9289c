package dev.oomsim.cli;

import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import dev.oomsim.kernel.scenario.ScenarioRun;

/** The readable form of a scenario run: one summary line per event, then the kernel's log lines, indented. */
final class TextReport {

    private TextReport() {
    }

    static String render(ScenarioRun run) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> boot = run.boot();
        sb.append("boot: min_free_kbytes=").append(boot.get("min_free_kbytes"))
                .append(" totalram_pages=").append(boot.get("totalram_pages")).append('\n');
        for (Map<String, Object> result : run.toTrees().subList(1, run.toTrees().size() - 1)) {
            sb.append(eventLine(result)).append('\n');
            for (Object line : list(result.get("log"))) {
                sb.append("    ").append(line).append('\n');
            }
        }
        sb.append(stateLines(run.state()));
        return sb.toString();
    }

    private static String eventLine(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder();
        sb.append('#').append(r.get("event")).append(' ').append(r.get("kind")).append(": ");
        String kind = String.valueOf(r.get("kind"));
        if (kind.equals("alloc") || kind.equals("may_oom")) {
            Object page = r.get("page");
            if (page instanceof Map<?, ?> p) {
                sb.append("page node ").append(p.get("node")).append(' ').append(p.get("zone"))
                        .append(" pfn ").append(p.get("pfn")).append(" order ").append(p.get("order"));
            } else {
                sb.append("NULL");
            }
            if (r.get("did_some_progress") != null) {
                sb.append(", did_some_progress=").append(r.get("did_some_progress"));
            }
            if (r.get("oom") instanceof Map<?, ?> oom) {
                sb.append("; out_of_memory: ").append(oom.get("constraint"));
                if (oom.get("chosen") instanceof Map<?, ?> chosen) {
                    sb.append(", chose ").append(chosen.get("pid")).append(" (").append(chosen.get("comm"))
                            .append(") points ").append(chosen.get("points")).append(" score ").append(chosen.get("score"));
                }
                List<?> killed = list(oom.get("killed"));
                if (!killed.isEmpty()) {
                    sb.append(", killed ").append(killed);
                }
                if (Boolean.TRUE.equals(oom.get("aborted"))) {
                    sb.append(", aborted (a victim is already dying)");
                }
            }
            if (r.get("panic") != null) {
                sb.append("; PANIC: ").append(r.get("panic"));
            }
            StringJoiner path = new StringJoiner(" ");
            list(r.get("path")).forEach(step -> path.add(String.valueOf(step)));
            if (path.length() > 0) {
                sb.append("\n    path: ").append(path);
            }
        } else {
            StringJoiner rest = new StringJoiner(", ");
            r.forEach((k, v) -> {
                if (!k.equals("event") && !k.equals("kind") && !k.equals("log")) {
                    rest.add(k + "=" + v);
                }
            });
            sb.append(rest);
        }
        return sb.toString();
    }

    private static String stateLines(Map<String, Object> state) {
        StringBuilder sb = new StringBuilder("state:\n");
        for (Object z : list(state.get("zones"))) {
            if (z instanceof Map<?, ?> zone) {
                sb.append("  node ").append(zone.get("node")).append(' ').append(zone.get("zone"))
                        .append(": free ").append(zone.get("free")).append(" pages, nr_free ").append(zone.get("nr_free")).append('\n');
            }
        }
        for (Object t : list(state.get("tasks"))) {
            if (t instanceof Map<?, ?> task) {
                sb.append("  pid ").append(task.get("pid")).append(Boolean.TRUE.equals(task.get("alive")) ? " alive" : " dead")
                        .append(Boolean.TRUE.equals(task.get("killed")) ? ", killed" : "")
                        .append(Boolean.TRUE.equals(task.get("memdie")) ? ", memdie" : "")
                        .append(", rss ").append(task.get("rss")).append('\n');
            }
        }
        sb.append("  oom_lock: ").append(state.get("oom_lock")).append('\n');
        return sb.toString();
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }
}
