package dev.oomsim.kernel.scenario;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.mm.Page;
import dev.oomsim.kernel.oom.Chosen;
import dev.oomsim.kernel.oom.OomOutcome;

/** The result of one scenario event; {@link #toTree()} gives the exact JSON shape of docs/scenario-format.md. */
public sealed interface EventResult
        permits EventResult.Alloc, EventResult.OomScore, EventResult.Charge, EventResult.Simple, EventResult.Reaped {

    /** The event's index. */
    int event();

    /** The event's kind ({@code alloc}, {@code may_oom}, ...). */
    String kind();

    /** The JSON-shaped tree, fields in the documented order. */
    Map<String, Object> toTree();

    /** An {@code alloc} or {@code may_oom} event. */
    record Alloc(int event, String kind, Page page, Integer didSomeProgress, int mayOomCalls, int reclaimPasses,
            List<OomOutcome> oomCalls, String panic, List<String> log, List<String> path) implements EventResult {
        /** Copies the lists. */
        public Alloc {
            oomCalls = List.copyOf(oomCalls);
            log = List.copyOf(log);
            path = List.copyOf(path);
        }

        /** The last out_of_memory call, or null. */
        public OomOutcome oom() {
            return oomCalls.isEmpty() ? null : oomCalls.get(oomCalls.size() - 1);
        }

        @Override
        public Map<String, Object> toTree() {
            Map<String, Object> t = head(event, kind);
            t.put("page", pageTree(page));
            t.put("did_some_progress", didSomeProgress);
            t.put("may_oom_calls", mayOomCalls);
            t.put("reclaim_passes", reclaimPasses);
            t.put("oom", oomTree(oom()));
            t.put("oom_calls", oomList(oomCalls));
            t.put("panic", panic);
            t.put("log", new ArrayList<>(log));
            t.put("path", new ArrayList<>(path));
            return t;
        }
    }

    /** An {@code oom_score} event. */
    record OomScore(int event, int pid, long oomScore) implements EventResult {
        @Override
        public String kind() {
            return "oom_score";
        }

        @Override
        public Map<String, Object> toTree() {
            Map<String, Object> t = head(event, kind());
            t.put("pid", pid);
            t.put("oom_score", oomScore);
            return t;
        }
    }

    /** A {@code charge} event (memcg path, docs/kernel-model.md §10f). */
    record Charge(int event, int pid, boolean charged, List<OomOutcome> oomCalls, String panic, List<String> log)
            implements EventResult {
        /** Copies the lists. */
        public Charge {
            oomCalls = List.copyOf(oomCalls);
            log = List.copyOf(log);
        }

        @Override
        public String kind() {
            return "charge";
        }

        @Override
        public Map<String, Object> toTree() {
            Map<String, Object> t = head(event, kind());
            t.put("pid", pid);
            t.put("charged", charged);
            t.put("oom", oomTree(oomCalls.isEmpty() ? null : oomCalls.get(oomCalls.size() - 1)));
            t.put("oom_calls", oomList(oomCalls));
            t.put("panic", panic);
            t.put("log", new ArrayList<>(log));
            return t;
        }
    }

    /** A {@code free}, {@code exit} or {@code set} event. */
    record Simple(int event, String kind, int pid) implements EventResult {
        @Override
        public Map<String, Object> toTree() {
            Map<String, Object> t = head(event, kind);
            t.put("pid", pid);
            return t;
        }
    }

    /**
     * An event before which the modern oom_reaper reaped (its timers expired by the event's time): the event's own
     * result, and the reaper's log lines, printed as {@code oom_reaper} after the event's own fields.
     */
    record Reaped(EventResult result, List<String> oomReaperLog) implements EventResult {
        /** Copies the lines; the result is not itself a {@code Reaped}. */
        public Reaped {
            if (result == null || result instanceof Reaped) {
                throw new IllegalArgumentException("result: must be an event's own result, got " + result);
            }
            oomReaperLog = List.copyOf(oomReaperLog);
        }

        @Override
        public int event() {
            return result.event();
        }

        @Override
        public String kind() {
            return result.kind();
        }

        @Override
        public Map<String, Object> toTree() {
            Map<String, Object> t = result.toTree();
            t.put("oom_reaper", new ArrayList<>(oomReaperLog));
            return t;
        }
    }

    private static Map<String, Object> head(int event, String kind) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("event", event);
        t.put("kind", kind);
        return t;
    }

    /** {@code {"node", "zone", "pfn", "order"}} or null. */
    static Map<String, Object> pageTree(Page page) {
        if (page == null) {
            return null;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("node", page.nodeId());
        p.put("zone", page.zone().name());
        p.put("pfn", page.pfn());
        p.put("order", page.order());
        return p;
    }

    /** The {@code oom} object, or null. */
    static Map<String, Object> oomTree(OomOutcome o) {
        if (o == null) {
            return null;
        }
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("invoked", true);
        t.put("constraint", o.constraint() == null ? null : o.constraint().name());
        t.put("totalpages", o.totalpages());
        t.put("chosen", chosenTree(o.chosen()));
        t.put("killed", new ArrayList<>(o.killed()));
        t.put("signalled", new ArrayList<>(o.signalled()));
        t.put("aborted", o.aborted());
        return t;
    }

    private static List<Object> oomList(List<OomOutcome> calls) {
        List<Object> out = new ArrayList<>();
        for (OomOutcome o : calls) {
            out.add(oomTree(o));
        }
        return out;
    }

    private static Map<String, Object> chosenTree(Chosen c) {
        if (c == null) {
            return null;
        }
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("pid", c.pid());
        t.put("comm", c.comm());
        t.put("points", c.unsignedPoints() && c.points() < 0 ? new BigInteger(c.pointsText()) : (Object) c.points());
        t.put("score", c.score());
        return t;
    }
}
