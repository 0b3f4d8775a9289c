package dev.oomsim.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads kernel OOM reports out of log text as {@code dmesg}, {@code dmesg -T}, {@code journalctl -k} and syslog print
 * them (v3.10 to v6.x printk formats). Each {@code invoked oom-killer} header starts a report; every line up to the
 * next header or the report's last kill line belongs to it. Lines inside a report that match no known part are kept
 * as {@link ParsedReport.Unrecognised} with their line number; lines outside every report are only counted.
 */
public final class ReportParser {

    /** What one input gave: the reports in order, and how many lines lay outside every report. */
    public record Result(List<ParsedReport> reports, int linesOutsideReports, int lines) {
        /** Copies the list. */
        public Result {
            reports = List.copyOf(reports);
        }
    }

    private static final Pattern PRIORITY = Pattern.compile("^<\\d+>");
    /** Mail quoting ({@code > }) and the indentation a report gets when pasted into a mail or a page. */
    private static final Pattern QUOTE = Pattern.compile("^(?:\\s*>)*\\s*");
    private static final Pattern SYSLOG = Pattern.compile(
            "^(?:[A-Z][a-z]{2} [ \\d]?\\d \\d\\d:\\d\\d:\\d\\d|\\d{4}-\\d\\d-\\d\\d[T ][\\d:.,+\\-]+) \\S+ kernel: ");
    private static final Pattern DMESG_TIME = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\] ?");
    /** {@code dmesg -T}: {@code [Tue Mar  7 10:01:02 2023]}, or in another locale {@code [月  1月 26 01:49:41 2026]}. */
    private static final Pattern DMESG_T = Pattern.compile("^\\[[^\\]\\[]{0,40}?\\d\\d:\\d\\d:\\d\\d \\d{4}\\] ?");
    private static final Pattern CALLER = Pattern.compile("^\\[\\s*[TC]\\d+\\] ?");

    private static final Pattern HEADER = Pattern.compile(
            "^(.+?) invoked oom-killer: gfp_mask=(0x[0-9a-fA-F]+)(?:\\(([^)]*)\\))?,"
                    + "(?: nodemask=([^,]*),)? order=(-?\\d+), oom_score_adj=(-?\\d+)");
    private static final Pattern CPU = Pattern.compile(
            "^CPU: (\\d+) (?:UID: \\d+ )?PID: (\\d+) Comm: (.+?) (?:Kdump: loaded )?"
                    + "(?:Not tainted|Tainted: [A-Z ]*?) ?(\\d+\\.\\d+\\S*)");
    private static final Pattern CPUSET = Pattern.compile("^(.+?) cpuset=(\\S+) mems_allowed=(\\S+)$");
    private static final Pattern ZONE = Pattern.compile(
            "^(?:Node (\\d+) )?(DMA|DMA32|Normal|HighMem|Movable|Device) free:(\\d+)kB (.*)$");
    private static final Pattern KB_FIELD = Pattern.compile("([a-z_]+):(\\d+)kB");
    private static final Pattern RESERVE = Pattern.compile("lowmem_reserve\\[\\]:((?: \\d+)*)\\s*$");
    private static final Pattern BUDDY = Pattern.compile(
            "^(?:Node (\\d+) )?(DMA|DMA32|Normal|HighMem|Movable|Device): (.*) = (\\d+)kB\\s*$");
    private static final Pattern BLOCK = Pattern.compile("(\\d+)\\*(\\d+)kB(?: \\(([A-Z]+)\\))?");
    private static final Pattern SWAP = Pattern.compile("^(Free|Total) swap\\s+= (\\d+)kB$");
    private static final Pattern PAGES = Pattern.compile("^(\\d+) pages (RAM|reserved|HighMem/MovableOnly)$");
    private static final Pattern TABLE_HEADER = Pattern.compile("^\\[\\s*pid\\s*\\]\\s+uid\\s+tgid\\s+(.*?)\\s+name$");
    private static final Pattern TABLE_ROW = Pattern.compile("^\\[\\s*(\\d+)\\]\\s+(.*)$");
    private static final Pattern TRAILING = Pattern.compile("\\s{2,}");
    private static final Pattern SUMMARY = Pattern.compile("^oom-kill:(constraint=.*)$");
    private static final Pattern KILL = Pattern.compile(
            "^(?:Out of memory(?: \\([a-z_]+\\))?: |Memory cgroup out of memory: )?Kill process (\\d+) \\((.*)\\) "
                    + "(?:score (\\d+) or sacrifice child|sharing same memory)");
    private static final Pattern KILLED = Pattern.compile(
            "^(?:Out of memory(?: \\([a-z_]+\\))?: |Memory cgroup out of memory: )?Killed process (\\d+) \\((.*?)\\)");
    private static final Pattern TASK_IN = Pattern.compile("^Task in (\\S+) killed as a result of limit of (\\S+)");
    private static final Pattern MEMCG_USAGE = Pattern.compile(
            "^(memory|memory\\+swap|swap|kmem): usage (\\d+)kB, limit (\\d+)kB, failcnt \\d+");
    private static final Pattern MEMCG_STATS = Pattern.compile("^Memory cgroup stats for ([^:]+):?");
    /** A cgroup v2 memory.stat line as the memcg report prints them after its stats heading. */
    private static final Pattern MEMCG_STAT = Pattern.compile("^[a-z_]+ \\d+$");
    private static final Pattern REAPED = Pattern.compile("^oom_reaper: reaped process (\\d+) \\((.*?)\\)");

    /** Lines a report carries that the decision does not need: stack dumps, counters, hugepages, cache stats. */
    private static final List<Pattern> CONTEXT = List.of(
            Pattern.compile("^Hardware name: "), Pattern.compile("^Workqueue: "), Pattern.compile("^Call Trace:"),
            Pattern.compile("^ ?\\[<[0-9a-f]+>\\]"), Pattern.compile("^ ?\\??\\s*[A-Za-z_.$0-9]+\\+0x[0-9a-f]+/0x"),
            Pattern.compile("^\\s*(?:[0-9a-f]{16} ?)+$"), Pattern.compile("^\\s*(?:[0-9a-f]{8} ?)+$"),
            Pattern.compile("^\\s*<(?:/?TASK|IRQ|EOI)>"),
            Pattern.compile("^\\s*(?:RIP|EIP|RSP|RAX|RDX|RBP|EAX|ESI|DS|R1[0-5]|R[89]):"), Pattern.compile("^Code: "),
            Pattern.compile("^Mem-Info:"), Pattern.compile("^(?:Node \\d+ )?[A-Za-z0-9]+ per-cpu:$"),
            Pattern.compile("^CPU\\s+\\d+: (?:hi|Hot):"), Pattern.compile("^\\s*[a-z_]+:\\d+(?: [a-z_()]+:\\d+)*\\s*$"),
            Pattern.compile("^Node \\d+ active_anon:"), Pattern.compile("^Node \\d+ hugepages_"),
            Pattern.compile("^\\d+ total pagecache pages"), Pattern.compile("^\\d+ pages in swap cache"),
            Pattern.compile("^Swap cache stats: "), Pattern.compile("^\\d+ pages (?:hwpoisoned|cma reserved)"),
            Pattern.compile("^Tasks state \\(memory values in pages\\):"), Pattern.compile("^Backtrace:"),
            Pattern.compile("^\\s*r\\d+:[0-9a-f]+"), Pattern.compile("^\\[<[0-9a-f]+>\\] \\("),
            Pattern.compile("^Memory cgroup stats for "), Pattern.compile("^memory: usage "),
            Pattern.compile("^(?:memory\\+swap|kmem|swap): usage "), Pattern.compile("^Task in .* killed as a result"),
            Pattern.compile("^\\S+ (?:mems_allowed|cpuset)="), Pattern.compile("^Tasks in .* are going to be killed"),
            Pattern.compile("^\\s*$"));

    private ReportParser() {
    }

    /** Strips what the log tool put before the kernel's text: syslog/journal prefixes, timestamps, priorities. */
    static String strip(String raw) {
        String s = raw;
        s = QUOTE.matcher(s).replaceFirst("");
        s = PRIORITY.matcher(s).replaceFirst("");
        s = SYSLOG.matcher(s).replaceFirst("");
        s = DMESG_T.matcher(s).replaceFirst("");
        s = DMESG_TIME.matcher(s).replaceFirst("");
        s = CALLER.matcher(s).replaceFirst("");
        return s;
    }

    /** Whether the raw line is a kernel message at all (syslog lines of other programs are not). */
    private static boolean foreign(String raw) {
        return !SYSLOG.matcher(raw).find()
                && raw.matches("^[A-Z][a-z]{2} [ \\d]?\\d \\d\\d:\\d\\d:\\d\\d \\S+ \\S+?: .*");
    }

    /** Parses every report in {@code lines} (the input's lines, in order). */
    public static Result parse(List<String> lines) {
        List<ParsedReport> reports = new ArrayList<>();
        Builder current = null;
        int outside = 0;
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            int lineNo = i + 1;
            if (foreign(raw)) {
                if (current != null && current.closed) {
                    reports.add(current.build()); // the report ended with its kill line
                    current = null;
                }
                if (current == null) {
                    outside++;
                } else {
                    current.unrecognised.add(new ParsedReport.Unrecognised(lineNo, raw));
                }
                continue;
            }
            String stripped = strip(raw);
            for (String text : stripped.split("#012", -1)) {
                Matcher h = HEADER.matcher(text);
                if (h.find()) {
                    if (current != null) {
                        reports.add(current.build());
                    }
                    current = new Builder();
                    current.header = new ParsedReport.Header(lineNo, h.group(1),
                            Long.parseLong(h.group(2).substring(2), 16),
                            h.group(3), h.group(4), Integer.parseInt(h.group(5)), Integer.parseInt(h.group(6)));
                    continue;
                }
                if (current == null || current.closed) {
                    if (current != null && current.closed && !isKillLine(text)) {
                        reports.add(current.build());
                        current = null;
                    }
                    if (current == null) {
                        outside++;
                        continue;
                    }
                }
                current.accept(lineNo, text);
            }
        }
        if (current != null) {
            reports.add(current.build());
        }
        return new Result(reports, outside, lines.size());
    }

    private static boolean isKillLine(String text) {
        return KILL.matcher(text).find() || KILLED.matcher(text).find() || REAPED.matcher(text).find();
    }

    /** Collects one report's parts; owned by the parsing thread. */
    private static final class Builder {
        ParsedReport.Header header;
        ParsedReport.Requester requester;
        ParsedReport.CpusetLine cpuset;
        final List<ParsedReport.ZoneInfo> zones = new ArrayList<>();
        final List<ParsedReport.BuddyLine> buddies = new ArrayList<>();
        Long freeSwapKb;
        Long totalSwapKb;
        Long ram;
        Long reserved;
        Long highmem;
        List<String> columns;
        final List<ParsedReport.TaskRow> tasks = new ArrayList<>();
        ParsedReport.KillSummary summary;
        int memcgLine;
        String taskMemcg;
        String limitMemcg;
        Long memcgUsageKb;
        Long memcgLimitKb;
        Long memswLimitKb;
        Long swapLimitKb;
        String statsFor;
        final List<ParsedReport.KillLine> kills = new ArrayList<>();
        final List<ParsedReport.Unrecognised> unrecognised = new ArrayList<>();
        /** True after a kill line: only further kill lines still belong to the report. */
        boolean closed;

        void accept(int line, String text) {
            Matcher m;
            if ((m = KILL.matcher(text)).find()) {
                boolean sharing = m.group(3) == null;
                kills.add(new ParsedReport.KillLine(line, sharing ? ParsedReport.KillLine.Kind.SHARING
                        : ParsedReport.KillLine.Kind.KILL_PROCESS, Integer.parseInt(m.group(1)), m.group(2),
                        sharing ? null : Long.parseLong(m.group(3))));
                return;
            }
            if ((m = KILLED.matcher(text)).find()) {
                kills.add(new ParsedReport.KillLine(line, ParsedReport.KillLine.Kind.KILLED_PROCESS,
                        Integer.parseInt(m.group(1)), m.group(2), null));
                closed = true;
                return;
            }
            if ((m = REAPED.matcher(text)).find()) {
                kills.add(new ParsedReport.KillLine(line, ParsedReport.KillLine.Kind.REAPED,
                        Integer.parseInt(m.group(1)), m.group(2), null));
                return;
            }
            if ((m = CPU.matcher(text)).find()) {
                requester = new ParsedReport.Requester(line, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        m.group(3), m.group(4));
                return;
            }
            if ((m = ZONE.matcher(text)).find()) {
                zones.add(zone(line, m));
                return;
            }
            if ((m = RESERVE.matcher(text)).find() && text.startsWith("lowmem_reserve")) {
                if (zones.isEmpty()) {
                    unrecognised.add(new ParsedReport.Unrecognised(line, text));
                } else {
                    int last = zones.size() - 1;
                    zones.set(last, zones.get(last).withLowmemReserve(numbers(m.group(1))));
                }
                return;
            }
            if ((m = BUDDY.matcher(text)).find()) {
                buddies.add(buddy(line, m));
                return;
            }
            if ((m = SWAP.matcher(text)).find()) {
                long kb = Long.parseLong(m.group(2));
                if (m.group(1).equals("Free")) {
                    freeSwapKb = kb;
                } else {
                    totalSwapKb = kb;
                }
                return;
            }
            if ((m = PAGES.matcher(text)).find()) {
                long n = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "RAM" -> ram = n;
                    case "reserved" -> reserved = n;
                    default -> highmem = n;
                }
                return;
            }
            if ((m = TABLE_HEADER.matcher(text)).find()) {
                columns = Arrays.asList(m.group(1).trim().split("\\s+"));
                return;
            }
            if (columns != null && (m = TABLE_ROW.matcher(text)).find()) {
                ParsedReport.TaskRow row = row(line, Integer.parseInt(m.group(1)), m.group(2));
                if (row == null) {
                    unrecognised.add(new ParsedReport.Unrecognised(line, text));
                } else {
                    tasks.add(row);
                }
                return;
            }
            if ((m = TASK_IN.matcher(text)).find()) {
                memcgLine = memcgLine == 0 ? line : memcgLine;
                taskMemcg = m.group(1);
                limitMemcg = m.group(2);
                return;
            }
            if ((m = MEMCG_USAGE.matcher(text)).find()) {
                memcgLine = memcgLine == 0 ? line : memcgLine;
                long limit = Long.parseLong(m.group(3));
                switch (m.group(1)) {
                    case "memory" -> {
                        memcgUsageKb = Long.parseLong(m.group(2));
                        memcgLimitKb = limit;
                    }
                    case "memory+swap" -> memswLimitKb = limit;
                    case "swap" -> swapLimitKb = limit;
                    default -> {
                        // kmem: not a limit the OOM killer reads
                    }
                }
                return;
            }
            if ((m = MEMCG_STATS.matcher(text)).find()) {
                memcgLine = memcgLine == 0 ? line : memcgLine;
                statsFor = m.group(1).trim();
                return;
            }
            if (statsFor != null && columns == null && MEMCG_STAT.matcher(text).find()) {
                return;
            }
            if ((m = SUMMARY.matcher(text)).find()) {
                summary = summary(line, m.group(1));
                return;
            }
            if (cpuset == null && header != null && (m = CPUSET.matcher(text)).find()) {
                cpuset = new ParsedReport.CpusetLine(line, m.group(2), m.group(3));
                return;
            }
            for (Pattern p : CONTEXT) {
                if (p.matcher(text).find()) {
                    return;
                }
            }
            unrecognised.add(new ParsedReport.Unrecognised(line, text));
        }

        private ParsedReport.ZoneInfo zone(int line, Matcher m) {
            int node = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
            java.util.Map<String, Long> kb = new java.util.HashMap<>();
            Matcher f = KB_FIELD.matcher(m.group(4));
            while (f.find()) {
                kb.putIfAbsent(f.group(1), Long.parseLong(f.group(2)));
            }
            Matcher r = RESERVE.matcher(m.group(4));
            List<Long> reserve = r.find() ? numbers(r.group(1)) : List.of();
            return new ParsedReport.ZoneInfo(line, node, m.group(2), Long.parseLong(m.group(3)),
                    kb.getOrDefault("min", 0L),
                    kb.getOrDefault("low", 0L), kb.getOrDefault("high", 0L), kb.getOrDefault("present", 0L),
                    kb.getOrDefault("managed", kb.getOrDefault("present", -1L)), reserve);
        }

        private ParsedReport.BuddyLine buddy(int line, Matcher m) {
            int node = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
            List<ParsedReport.FreeBlocks> orders = new ArrayList<>();
            Matcher b = BLOCK.matcher(m.group(3));
            int order = 0;
            while (b.find()) {
                orders.add(new ParsedReport.FreeBlocks(order++, Long.parseLong(b.group(1)), Long.parseLong(b.group(2)),
                        b.group(3) == null ? "" : b.group(3)));
            }
            return new ParsedReport.BuddyLine(line, node, m.group(2), orders, Long.parseLong(m.group(4)));
        }

        private ParsedReport.TaskRow row(int line, int pid, String rest) {
            String[] tok = rest.trim().split("\\s+", columns.size() + 3);
            int numeric = columns.size() + 2; // uid, tgid, then the era's columns
            if (tok.length < numeric + 1) {
                return null;
            }
            try {
                int uid = Integer.parseInt(tok[0]);
                int tgid = Integer.parseInt(tok[1]);
                Long totalVm = null;
                Long rss = null;
                Long nrPtes = null;
                Long nrPmds = null;
                Long pgtables = null;
                Long swapents = null;
                Integer adj = null;
                for (int c = 0; c < columns.size(); c++) {
                    long v = Long.parseLong(tok[c + 2]);
                    switch (columns.get(c)) {
                        case "total_vm" -> totalVm = v;
                        case "rss" -> rss = v;
                        case "nr_ptes" -> nrPtes = v;
                        case "nr_pmds" -> nrPmds = v;
                        case "pgtables_bytes" -> pgtables = v;
                        case "swapents" -> swapents = v;
                        case "oom_score_adj" -> adj = (int) v;
                        default -> {
                            // rss_anon, rss_file, rss_shmem (v6.x): rss is their sum and printed too
                        }
                    }
                }
                if (totalVm == null || rss == null || swapents == null || adj == null) {
                    return null;
                }
                String name = tok[numeric].trim();
                Matcher extra = TRAILING.matcher(name);
                if (extra.find()) {
                    // a comm is at most 15 characters and has no run of blanks: what follows one was added later
                    unrecognised.add(new ParsedReport.Unrecognised(line, "text after the task name: "
                            + name.substring(extra.end())));
                    name = name.substring(0, extra.start());
                }
                return new ParsedReport.TaskRow(line, pid, uid, tgid, totalVm, rss, nrPtes, nrPmds, pgtables, swapents,
                        adj, name);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static ParsedReport.KillSummary summary(int line, String body) {
            java.util.Map<String, String> kv = new java.util.HashMap<>();
            for (String part : body.split(",")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    kv.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            return new ParsedReport.KillSummary(line, kv.get("constraint"), kv.get("cpuset"), kv.get("mems_allowed"),
                    kv.get("oom_memcg"), kv.get("task_memcg"), kv.get("task"), parseInt(kv.get("pid")),
                    parseInt(kv.get("uid")));
        }

        private static int parseInt(String s) {
            try {
                return s == null ? -1 : Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        private static List<Long> numbers(String s) {
            List<Long> out = new ArrayList<>();
            for (String t : s.trim().split("\\s+")) {
                if (!t.isEmpty()) {
                    out.add(Long.parseLong(t));
                }
            }
            return out;
        }

        ParsedReport build() {
            return new ParsedReport(header.line(), header, requester, cpuset, zones, buddies,
                    totalSwapKb == null && freeSwapKb == null ? null
                            : new ParsedReport.Swap(freeSwapKb == null ? 0 : freeSwapKb, totalSwapKb == null ? 0
                                    : totalSwapKb),
                    ram == null && reserved == null ? null : new ParsedReport.RamPages(ram, reserved, highmem),
                    columns, tasks, summary,
                    memcgLine == 0 ? null : new ParsedReport.MemcgInfo(memcgLine, taskMemcg, limitMemcg, memcgUsageKb,
                            memcgLimitKb, memswLimitKb, swapLimitKb, statsFor),
                    kills, unrecognised);
        }
    }
}
