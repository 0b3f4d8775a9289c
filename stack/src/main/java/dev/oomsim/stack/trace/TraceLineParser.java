package dev.oomsim.stack.trace;

/**
 * Parses one line of a {@code kmem:mm_page_alloc} / {@code kmem:mm_page_free} trace, in ftrace text form
 * ({@code /sys/kernel/tracing/trace}: {@code comm-pid [cpu] flags ts: event: fields}) or {@code perf script} form
 * ({@code comm pid [cpu] ts: kmem:event: fields}). Comm names may hold spaces, dashes and {@code <…>}; pfn is hex
 * ({@code 0x…}, v4.x+ prints it so since 4.13) or decimal (older kernels); gfp flags are kept as printed. Pure: no
 * I/O, no allocation beyond the parsed record.
 */
public final class TraceLineParser {

    /** What a line turned out to be. */
    public sealed interface Result {
    }

    /** A header or blank line ({@code # tracer: nop}, column legends): not an event, not an error. */
    public record Header() implements Result {
    }

    /** An allocation or free. */
    public record Event(TraceEvent event) implements Result {
    }

    /** A line that could not be parsed, with the reason. */
    public record Bad(Unparsable unparsable) implements Result {
    }

    private static final Header HEADER = new Header();
    private static final String ALLOC = "mm_page_alloc: ";
    private static final String FREE = "mm_page_free: ";

    private TraceLineParser() {
    }

    /** Parses {@code text}, line {@code lineNumber} (1-based) of its file. */
    public static Result parse(String text, long lineNumber) {
        int n = text.length();
        int start = 0;
        while (start < n && text.charAt(start) == ' ') {
            start++;
        }
        if (start == n || text.charAt(start) == '#') {
            return HEADER;
        }
        boolean alloc = true;
        int marker = text.indexOf(ALLOC);
        int bodyStart;
        if (marker >= 0) {
            bodyStart = marker + ALLOC.length();
        } else {
            marker = text.indexOf(FREE);
            if (marker < 0) {
                return bad(lineNumber, "not a kmem:mm_page_alloc or kmem:mm_page_free line", text);
            }
            alloc = false;
            bodyStart = marker + FREE.length();
        }
        int prefixEnd = marker;
        if (prefixEnd >= 5 && text.startsWith("kmem:", prefixEnd - 5)) {
            prefixEnd -= 5;
        }
        // prefix: "<comm>-<pid> [cpu] <flags> <ts>: " or "<comm> <pid> [cpu] <ts>: "
        int e = prefixEnd;
        while (e > start && text.charAt(e - 1) == ' ') {
            e--;
        }
        if (e == start || text.charAt(e - 1) != ':') {
            return bad(lineNumber, "no timestamp before the event name", text);
        }
        int tsEnd = e - 1;
        int tsStart = text.lastIndexOf(' ', tsEnd - 1) + 1;
        if (tsStart <= start) {
            return bad(lineNumber, "no task and CPU before the timestamp", text);
        }
        long ts = timestamp(text, tsStart, tsEnd);
        if (ts < 0) {
            return bad(lineNumber, "bad timestamp '" + text.substring(tsStart, tsEnd) + "'", text);
        }
        int close = text.lastIndexOf(']', tsStart);
        int open = close < 0 ? -1 : text.lastIndexOf('[', close);
        if (open <= start) {
            return bad(lineNumber, "no [cpu] field", text);
        }
        int cpu = (int) decimal(text, open + 1, close);
        if (cpu < 0) {
            return bad(lineNumber, "bad CPU '" + text.substring(open + 1, close) + "'", text);
        }
        int taskEnd = open;
        while (taskEnd > start && text.charAt(taskEnd - 1) == ' ') {
            taskEnd--;
        }
        if (taskEnd > start && text.charAt(taskEnd - 1) == ')') { // "comm-pid (tgid)" with the record-tgid option
            int p = text.lastIndexOf('(', taskEnd - 1);
            if (p > start) {
                taskEnd = p;
                while (taskEnd > start && text.charAt(taskEnd - 1) == ' ') {
                    taskEnd--;
                }
            }
        }
        int pidStart = taskEnd;
        while (pidStart > start && isDigit(text.charAt(pidStart - 1))) {
            pidStart--;
        }
        if (pidStart == taskEnd || pidStart == start) {
            return bad(lineNumber, "no comm-pid field", text);
        }
        char sep = text.charAt(pidStart - 1);
        if (sep != '-' && sep != ' ') {
            return bad(lineNumber, "no comm-pid field", text);
        }
        int pid = (int) decimal(text, pidStart, taskEnd);
        int commEnd = pidStart - 1;
        if (sep == ' ') {
            while (commEnd > start && text.charAt(commEnd - 1) == ' ') {
                commEnd--;
            }
        }
        if (commEnd <= start || pid < 0) {
            return bad(lineNumber, "no comm-pid field", text);
        }
        String comm = text.substring(start, commEnd);
        long pfn = pfn(text, bodyStart);
        if (pfn == Long.MIN_VALUE) {
            return bad(lineNumber, "no pfn= field", text);
        }
        int order = (int) field(text, bodyStart, " order=");
        if (order < 0 || order > 63) {
            return bad(lineNumber, "no order= field", text);
        }
        if (!alloc) {
            return new Event(new TraceEvent.PageFree(lineNumber, comm, pid, cpu, ts, pfn, order));
        }
        int migratetype = (int) field(text, bodyStart, " migratetype=");
        if (migratetype < 0) {
            return bad(lineNumber, "no migratetype= field", text);
        }
        int g = text.indexOf(" gfp_flags=", bodyStart);
        if (g < 0) {
            return bad(lineNumber, "no gfp_flags= field", text);
        }
        int gs = g + " gfp_flags=".length();
        int ge = gs;
        while (ge < n && text.charAt(ge) != ' ') {
            ge++;
        }
        if (ge == gs) {
            return bad(lineNumber, "empty gfp_flags= field", text);
        }
        return new Event(new TraceEvent.PageAlloc(lineNumber, comm, pid, cpu, ts, pfn, order, migratetype,
                text.substring(gs, ge)));
    }

    private static Bad bad(long line, String reason, String text) {
        return new Bad(new Unparsable(line, reason, text));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Non-negative decimal in [from, to), or -1. */
    private static long decimal(String s, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** "seconds.fraction" to nanoseconds, or -1. */
    private static long timestamp(String s, int from, int to) {
        int dot = s.indexOf('.', from);
        if (dot < 0 || dot >= to) {
            long sec = decimal(s, from, to);
            return sec < 0 ? -1 : sec * 1_000_000_000L;
        }
        long sec = decimal(s, from, dot);
        int digits = to - dot - 1;
        long frac = decimal(s, dot + 1, to);
        if (sec < 0 || frac < 0 || digits > 9) {
            return -1;
        }
        for (int i = digits; i < 9; i++) {
            frac *= 10;
        }
        return sec * 1_000_000_000L + frac;
    }

    /** The decimal value after {@code key} (e.g. " order="), or -1. */
    private static long field(String s, int from, String key) {
        int k = s.indexOf(key, from);
        if (k < 0) {
            return -1;
        }
        int vs = k + key.length();
        int ve = vs;
        while (ve < s.length() && isDigit(s.charAt(ve))) {
            ve++;
        }
        if (ve < s.length() && s.charAt(ve) != ' ') {
            return -1;
        }
        return decimal(s, vs, ve);
    }

    /** pfn=0x… (hex) or pfn=… (decimal); -1 for a failed allocation; Long.MIN_VALUE when missing or bad. */
    private static long pfn(String s, int from) {
        int k = s.indexOf("pfn=", from);
        if (k < 0) {
            return Long.MIN_VALUE;
        }
        int vs = k + 4;
        int ve = vs;
        while (ve < s.length() && s.charAt(ve) != ' ') {
            ve++;
        }
        String v = s.substring(vs, ve);
        try {
            if (v.startsWith("0x")) {
                return Long.parseUnsignedLong(v, 2, v.length(), 16);
            }
            if (v.equals("-1")) {
                return -1L;
            }
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return Long.MIN_VALUE;
        }
    }
}
