package dev.oomsim.stack.trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code oomsim load --replay TRACE --dry-run --json} prints: counts of a trace's lines, allocations and frees
 * by order, gfp name and comm, the flags with no meaning in the chosen profile, and every unparsable line (the
 * first {@value #MAX_LISTED} listed in full).
 */
public final class TraceSummary {

    /** How many unparsable lines are listed in full (all are counted). */
    public static final int MAX_LISTED = 100;

    private final TraceGfp gfp;
    private final CpuNodeMap cpuNodes;
    private long linesRead;
    private long headerLines;
    private long allocations;
    private long failedAllocations;
    private long frees;
    private long freesOfUnseenPages;
    private final Map<Integer, Long> allocationsByOrder = new TreeMap<>();
    private final Map<Integer, Long> freesByOrder = new TreeMap<>();
    private final Map<String, Long> allocationsByGfpName = new TreeMap<>();
    private final Map<String, Long> allocationsByComm = new TreeMap<>();
    private final Map<String, Long> freesByComm = new TreeMap<>();
    private final Map<String, Long> freesByAllocatingComm = new TreeMap<>();
    private final Map<String, Long> flagsUnknownToProfile = new TreeMap<>();
    private final Map<Integer, Long> eventsByNode = new TreeMap<>();
    private final Map<Integer, Long> cpusWithoutNode = new TreeMap<>();
    private final Map<Long, String> ownerOfPfn = new HashMap<>();
    private long unparsableCount;
    private final List<Unparsable> unparsable = new ArrayList<>();

    public TraceSummary(TraceGfp gfp, CpuNodeMap cpuNodes) {
        this.gfp = gfp;
        this.cpuNodes = cpuNodes;
    }

    /** Counts one parsed line. */
    public void add(TraceLineParser.Result result) {
        linesRead++;
        if (result instanceof TraceLineParser.Event ev) {
            add(ev.event());
        } else if (result instanceof TraceLineParser.Bad b) {
            unparsableCount++;
            if (unparsable.size() < MAX_LISTED) {
                unparsable.add(b.unparsable());
            }
        } else {
            headerLines++;
        }
    }

    private void add(TraceEvent event) {
        int node = cpuNodes.nodeOf(event.cpu());
        if (node < 0) {
            cpusWithoutNode.merge(event.cpu(), 1L, Long::sum);
        } else {
            eventsByNode.merge(node, 1L, Long::sum);
        }
        if (event instanceof TraceEvent.PageAlloc a) {
                allocations++;
                allocationsByOrder.merge(a.order(), 1L, Long::sum);
                allocationsByComm.merge(event.comm(), 1L, Long::sum);
                TraceGfp.Mapped m = gfp.map(a.gfpText());
                for (String name : m.names()) {
                    allocationsByGfpName.merge(name, 1L, Long::sum);
                }
                for (String name : m.unknown()) {
                    flagsUnknownToProfile.merge(name, 1L, Long::sum);
                }
                if (a.failed()) {
                    failedAllocations++;
                } else {
                    ownerOfPfn.put(a.pfn(), event.comm());
                }
        } else if (event instanceof TraceEvent.PageFree f) {
                frees++;
                freesByOrder.merge(f.order(), 1L, Long::sum);
                freesByComm.merge(event.comm(), 1L, Long::sum);
                String owner = ownerOfPfn.remove(f.pfn());
                if (owner == null) {
                    freesOfUnseenPages++;
                } else {
                    freesByAllocatingComm.merge(owner, 1L, Long::sum);
                }
        }
    }

    /** The summary as a JSON-ready tree (insertion-ordered keys). */
    public Map<String, Object> tree() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("profile", gfp.profile().scenarioName());
        t.put("linesRead", linesRead);
        t.put("headerLines", headerLines);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("total", allocations);
        a.put("failed", failedAllocations);
        a.put("byOrder", allocationsByOrder);
        a.put("byGfpName", allocationsByGfpName);
        a.put("byComm", allocationsByComm);
        t.put("allocations", a);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("total", frees);
        f.put("byOrder", freesByOrder);
        f.put("byComm", freesByComm);
        f.put("byAllocatingComm", freesByAllocatingComm);
        f.put("ofPagesNotAllocatedInTrace", freesOfUnseenPages);
        t.put("frees", f);
        t.put("flagsWithNoMeaningInProfile", flagsUnknownToProfile);
        t.put("eventsByNode", eventsByNode);
        if (!cpusWithoutNode.isEmpty()) {
            t.put("eventsOnCpusWithoutNode", cpusWithoutNode);
        }
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("count", unparsableCount);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (Unparsable x : unparsable) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("line", x.line());
            l.put("reason", x.reason());
            l.put("text", x.text());
            lines.add(l);
        }
        u.put("lines", lines);
        t.put("unparsable", u);
        return t;
    }

    public long linesRead() {
        return linesRead;
    }

    public long headerLines() {
        return headerLines;
    }

    public long allocations() {
        return allocations;
    }

    public long frees() {
        return frees;
    }

    public long unparsableCount() {
        return unparsableCount;
    }

    public List<Unparsable> unparsable() {
        return List.copyOf(unparsable);
    }

    public Map<Integer, Long> allocationsByOrder() {
        return Map.copyOf(allocationsByOrder);
    }

    public Map<String, Long> allocationsByGfpName() {
        return Map.copyOf(allocationsByGfpName);
    }

    public Map<String, Long> allocationsByComm() {
        return Map.copyOf(allocationsByComm);
    }

    public Map<String, Long> flagsUnknownToProfile() {
        return Map.copyOf(flagsUnknownToProfile);
    }
}
