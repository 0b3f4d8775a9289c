package dev.oomsim.kernel.scenario;

import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.mm.Page;
import dev.oomsim.kernel.oom.OomOutcome;

/** The readable (non-JSON) rendering of a run: one summary line per event, then its kernel log lines indented. */
public final class TextSummary {
    private TextSummary() {
    }

    /** Renders a whole run. */
    @SuppressWarnings("unchecked")
    public static String render(ScenarioRun run) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> boot = run.boot();
        sb.append("boot: profile ").append(boot.get("profile")).append(", min_free_kbytes ")
                .append(boot.get("min_free_kbytes")).append(", totalram_pages ").append(boot.get("totalram_pages"))
                .append('\n');
        for (Object z : (List<Object>) boot.get("zones")) {
            Map<String, Object> zt = (Map<String, Object>) z;
            Map<String, Object> w = (Map<String, Object>) zt.get("watermarks");
            sb.append("  node ").append(zt.get("node")).append(' ').append(zt.get("zone")).append(": managed ")
                    .append(zt.get("managed")).append(", min/low/high ").append(w.get("min")).append('/')
                    .append(w.get("low")).append('/').append(w.get("high")).append(", lowmem_reserve ")
                    .append(zt.get("lowmem_reserve")).append('\n');
        }
        for (EventResult r : run.results()) {
            sb.append(line(r)).append('\n');
            if (r instanceof EventResult.Reaped reaped) {
                for (String l : reaped.oomReaperLog()) {
                    sb.append("    ").append(l).append('\n');
                }
            }
            for (String l : logOf(r)) {
                sb.append("    ").append(l).append('\n');
            }
        }
        Map<String, Object> state = run.state();
        sb.append("state:").append('\n');
        for (Object z : (List<Object>) state.get("zones")) {
            Map<String, Object> zt = (Map<String, Object>) z;
            sb.append("  node ").append(zt.get("node")).append(' ').append(zt.get("zone")).append(": free ")
                    .append(zt.get("free")).append(", nr_free ").append(zt.get("nr_free")).append('\n');
        }
        for (Object t : (List<Object>) state.get("tasks")) {
            Map<String, Object> tt = (Map<String, Object>) t;
            sb.append("  pid ").append(tt.get("pid"))
                    .append(Boolean.TRUE.equals(tt.get("alive")) ? " alive" : " exited")
                    .append(Boolean.TRUE.equals(tt.get("killed")) ? ", oom-killed" : "")
                    .append(Boolean.TRUE.equals(tt.get("memdie")) ? ", memdie" : "").append(", rss ")
                    .append(tt.get("rss")).append('\n');
        }
        sb.append("  oom_lock ").append(state.get("oom_lock")).append('\n');
        return sb.toString();
    }

    private static List<String> logOf(EventResult result) {
        EventResult r = own(result);
        if (r instanceof EventResult.Alloc a) {
            return a.log();
        }
        if (r instanceof EventResult.Charge c) {
            return c.log();
        }
        return List.of();
    }

    /** The event's own result: a reaped event's without the oom_reaper's lines (printed before its log). */
    private static EventResult own(EventResult r) {
        return r instanceof EventResult.Reaped reaped ? reaped.result() : r;
    }

    /** The one-line summary of an event. */
    public static String line(EventResult result) {
        EventResult r = own(result);
        String head = "#" + r.event() + " " + r.kind();
        if (r instanceof EventResult.Alloc a) {
            StringBuilder sb = new StringBuilder(head).append(": ").append(page(a.page()));
            if (a.didSomeProgress() != null) {
                sb.append(", did_some_progress ").append(a.didSomeProgress());
            }
            sb.append(", may_oom ").append(a.mayOomCalls()).append("x, reclaim ").append(a.reclaimPasses()).append('x');
            for (OomOutcome o : a.oomCalls()) {
                sb.append("; ").append(oom(o));
            }
            if (a.panic() != null) {
                sb.append("; PANIC: ").append(a.panic());
            }
            sb.append("; path ").append(String.join(" > ", a.path()));
            return sb.toString();
        }
        if (r instanceof EventResult.Charge c) {
            StringBuilder sb = new StringBuilder(head).append(" pid ").append(c.pid()).append(": ")
                    .append(c.charged() ? "charged" : "not charged");
            for (OomOutcome o : c.oomCalls()) {
                sb.append("; ").append(oom(o));
            }
            if (c.panic() != null) {
                sb.append("; PANIC: ").append(c.panic());
            }
            return sb.toString();
        }
        if (r instanceof EventResult.OomScore s) {
            return head + " pid " + s.pid() + ": " + s.oomScore();
        }
        return head + " pid " + ((EventResult.Simple) r).pid();
    }

    private static String page(Page p) {
        if (p == null) {
            return "NULL";
        }
        return "page node " + p.nodeId() + " " + p.zone() + " pfn " + p.pfn() + " order " + p.order();
    }

    private static String oom(OomOutcome o) {
        StringBuilder sb = new StringBuilder("out_of_memory");
        if (o.constraint() != null) {
            sb.append(' ').append(o.constraint()).append(" totalpages ").append(o.totalpages());
        }
        if (o.chosen() != null) {
            sb.append(", chose ").append(o.chosen().pid()).append(" (").append(o.chosen().comm()).append(") points ")
                    .append(o.chosen().pointsText()).append(" score ").append(o.chosen().score());
        }
        if (!o.killed().isEmpty()) {
            sb.append(", killed ").append(o.killed());
        }
        if (!o.signalled().isEmpty()) {
            sb.append(", signalled ").append(o.signalled());
        }
        if (o.aborted()) {
            sb.append(", aborted");
        }
        if (o.chosen() == null && o.killed().isEmpty() && !o.aborted()) {
            sb.append(o.returned() ? ", returned true" : ", returned false");
        }
        return sb.toString();
    }
}
