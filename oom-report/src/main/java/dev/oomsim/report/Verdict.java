package dev.oomsim.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.oom.OomReport;

/**
 * A report checked against the model: the rebuilt decision, and where a field the report never prints decides it
 * (CAP_SYS_ADMIN of uid-0 tasks in the root-bonus eras), the decision with that field the other way too.
 *
 * @param report     the parsed report
 * @param change     the what-if applied ({@link WhatIf#NONE} for the report as printed)
 * @param primary    the decision with no task holding CAP_SYS_ADMIN
 * @param alternate  the decision with every uid-0 task holding it; null where the era has no root bonus or no
 *                   uid-0 task is listed
 */
public record Verdict(ParsedReport report, WhatIf change, Decision primary, Decision alternate) {

    /** Rebuilds and runs {@code report} with {@code change}. */
    public static Verdict of(ParsedReport report, WhatIf change) {
        Rebuild plain = Rebuild.of(report, change, false);
        Decision primary = Decision.run(plain);
        Decision alternate = null;
        boolean bonus = plain.profile().equals("seed");
        if (bonus && report.tasks().stream().anyMatch(t -> t.uid() == 0)) {
            alternate = Decision.run(Rebuild.of(report, change, true));
        }
        return new Verdict(report, change, primary, alternate);
    }

    /** Whether the unprinted CAP_SYS_ADMIN changes the victim or its score. */
    public boolean capabilityDecides() {
        return alternate != null && (!Objects.equals(primary.victim(), alternate.victim())
                || !Objects.equals(primary.score(), alternate.score()));
    }

    /** Whether the model (either way the capability goes) reaches the kernel's victim, and its score when printed. */
    public boolean matchesKernel() {
        return matches(primary) || (alternate != null && matches(alternate));
    }

    private boolean matches(Decision d) {
        Integer kv = report.kernelVictim();
        Long ks = report.kernelScore();
        return kv != null && kv.equals(d.victim()) && (ks == null || ks.equals(d.score()));
    }

    /** The decision explained, as a tree for JSON ({@code LinkedHashMap} field order). */
    public Map<String, Object> toTree() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("report_line", report.firstLine());
        out.put("era", primary.rebuild().era().name());
        out.put("profile", primary.rebuild().profile());
        if (!change.isNone()) {
            out.put("what_if", change.describe());
        }
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("victim", report.kernelVictim());
        kernel.put("score", report.kernelScore());
        kernel.put("requester", report.header().comm());
        kernel.put("gfp_mask", String.format("0x%x", report.header().gfpMask()));
        kernel.put("order", report.header().order());
        out.put("kernel", kernel);
        out.put("model", decisionTree(primary));
        if (alternate != null) {
            out.put("model_root_cap_sys_admin", decisionTree(alternate));
        }
        out.put("matches_kernel", matchesKernel());
        out.put("cap_sys_admin_decides", capabilityDecides());
        out.put("report_totalpages", reportTotalpages());
        out.put("candidates", candidates(primary, 5));
        out.put("skipped_above_victim", skipped(primary));
        out.put("watermarks", watermarks());
        out.put("unrecognised_lines", report.unrecognised().stream()
                .map(u -> Map.of("line", u.line(), "text", u.text())).toList());
        out.put("notes", primary.rebuild().notes());
        return out;
    }

    /**
     * The totalpages the report's own figures give, in pages: (RAM − reserved) + swap, or for a memcg OOM the memcg
     * limit (+ swap where printed, capped by a printed memory+swap limit).
     */
    public long reportTotalpages() {
        long swap = (report.swap() == null ? 0 : report.swap().totalKb() / Rebuild.PAGE_KB) + change.addSwapPages();
        if (report.memcgOom()) {
            ParsedReport.MemcgInfo mi = report.memcg();
            long limit = mi.limitKb() / Rebuild.PAGE_KB + swap;
            if (mi.memswLimitKb() != null && mi.memswLimitKb() < Rebuild.UNLIMITED_KB) {
                limit = Math.min(limit, mi.memswLimitKb() / Rebuild.PAGE_KB);
            }
            return Math.max(limit, 1);
        }
        return report.ram().ram() - report.ram().reserved() + swap;
    }

    private static Map<String, Object> decisionTree(Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("victim", d.victim());
        m.put("comm", d.outcome() == null || d.outcome().chosen() == null ? null : d.outcome().chosen().comm());
        m.put("points", d.outcome() == null || d.outcome().chosen() == null ? null
                : d.outcome().chosen().pointsText());
        m.put("score", d.score());
        m.put("constraint", d.outcome() == null || d.outcome().constraint() == null ? null
                : d.outcome().constraint().name());
        m.put("totalpages", d.totalpages());
        m.put("path", d.path());
        return m;
    }

    private ParsedReport.TaskRow row(int pid) {
        for (ParsedReport.TaskRow r : report.tasks()) {
            if (r.pid() == pid) {
                return r;
            }
        }
        return null;
    }

    /** The best {@code n} candidates with their points broken down as oom_badness adds them. */
    List<Map<String, Object>> candidates(Decision d, int n) {
        List<Map<String, Object>> out = new ArrayList<>();
        boolean seed = d.rebuild().profile().equals("seed");
        for (OomReport.Candidate c : d.candidates()) {
            if (out.size() == n) {
                break;
            }
            ParsedReport.TaskRow r = row(c.pid());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", c.pid());
            m.put("comm", c.comm());
            m.put("points", seed ? Long.toUnsignedString(c.points()) : Long.toString(c.points()));
            m.put("score", c.points() * 1000 / d.totalpages());
            if (r != null) {
                int adj = change.oomScoreAdj().getOrDefault(r.pid(), r.oomScoreAdj());
                long base = r.rss() + r.swapents() + r.pageTablePages();
                m.put("rss", r.rss());
                m.put("swapents", r.swapents());
                m.put("pagetables", r.pageTablePages());
                m.put("adj_term", (long) adj * (d.totalpages() / 1000));
                if (seed) {
                    long withAdj = base + (long) adj * (d.totalpages() / 1000);
                    m.put("root_bonus", c.points() == Math.max(withAdj, 1) ? 0 : -(base * 3 / 100));
                }
            }
            out.add(m);
        }
        return out;
    }

    /** Every task larger than the victim (rss + swap + page tables) and why the killer passed it over. */
    List<Map<String, Object>> skipped(Decision d) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (d.victim() == null) {
            return out;
        }
        ParsedReport.TaskRow victim = row(d.victim());
        long victimBase = victim == null ? 0 : victim.rss() + victim.swapents() + victim.pageTablePages();
        long victimPoints = d.badness().getOrDefault(d.victim(), 0L);
        for (ParsedReport.TaskRow r : report.tasks()) {
            long base = r.rss() + r.swapents() + r.pageTablePages();
            if (r.pid() == d.victim() || base <= victimBase || change.removed().contains(r.pid())) {
                continue;
            }
            int adj = change.oomScoreAdj().getOrDefault(r.pid(), r.oomScoreAdj());
            Long points = d.badness().get(r.pid());
            String why;
            if (r.pid() == 1) {
                why = "global init is never killed";
            } else if (adj == -1000) {
                why = "oom_score_adj -1000: unkillable";
            } else if (points != null
                    && (d.rebuild().profile().equals("seed") ? points == 0 : points == Long.MIN_VALUE)) {
                why = "unkillable here (other cpuset/mempolicy, no mm, or kernel thread)";
            } else if (adj < 0) {
                why = "oom_score_adj " + adj + " takes " + (-(long) adj * (d.totalpages() / 1000))
                        + " points off: " + points + " < the victim's " + victimPoints;
            } else {
                why = "points " + points + " < the victim's " + victimPoints;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", r.pid());
            m.put("comm", r.name());
            m.put("size_pages", base);
            m.put("why", why);
            out.add(m);
        }
        return out;
    }

    /**
     * Per zone, the last chance of {@code __alloc_pages_may_oom} (the high watermark plus the printed
     * lowmem_reserve of the request's highest zone) against the printed free pages, and the min watermark too.
     */
    List<Map<String, Object>> watermarks() {
        List<Map<String, Object>> out = new ArrayList<>();
        Rebuild rb = primary.rebuild();
        if (rb.sysrq() || rb.pagefault() || rb.memcg() != null) {
            return out; // a forced, page-fault or memcg OOM: no zone watermark was consulted
        }
        GfpFlags gfp = Decision.gfp(primary.rebuild());
        boolean i386 = "i386".equals(primary.rebuild().tree().get("arch"));
        int classzone = highestZoneIdx(gfp, i386);
        for (ParsedReport.ZoneInfo z : report.zones()) {
            int idx = zoneIdx(z.zone(), i386);
            if (idx > classzone) {
                continue;
            }
            long reserve = classzone < z.lowmemReserve().size() ? z.lowmemReserve().get(classzone) : 0;
            long free = z.freeKb() / Rebuild.PAGE_KB;
            long high = z.highKb() / Rebuild.PAGE_KB + reserve;
            long min = z.minKb() / Rebuild.PAGE_KB + reserve;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", z.node());
            m.put("zone", z.zone());
            m.put("free", free);
            m.put("lowmem_reserve", reserve);
            m.put("high_plus_reserve", high);
            m.put("last_chance_short_by", Math.max(0, high - free + 1));
            m.put("min_plus_reserve", min);
            m.put("min_short_by", Math.max(0, min - free + 1));
            if (report.header().order() > 0) {
                Integer largest = largestFreeOrder(z);
                m.put("largest_free_order", largest);
                m.put("block_fits_order", largest == null ? null : largest >= report.header().order());
            }
            out.add(m);
        }
        return out;
    }

    /** The highest order with a free block on the zone's buddy line, -1 when all are empty; null without a line. */
    private Integer largestFreeOrder(ParsedReport.ZoneInfo z) {
        for (ParsedReport.BuddyLine b : report.buddies()) {
            if (b.node() == z.node() && b.zone().equals(z.zone())) {
                int largest = -1;
                for (ParsedReport.FreeBlocks f : b.orders()) {
                    if (f.count() > 0) {
                        largest = Math.max(largest, f.order());
                    }
                }
                return largest;
            }
        }
        return null;
    }

    private static int zoneIdx(String zone, boolean i386) {
        return switch (zone) {
            case "DMA" -> 0;
            case "DMA32" -> 1;
            case "Normal" -> i386 ? 1 : 2;
            case "HighMem" -> 2;
            default -> 3;
        };
    }

    /** Mirrors {@code gfp_zone}: the highest zone index the request may use. */
    private static int highestZoneIdx(GfpFlags gfp, boolean i386) {
        if (gfp.has(GfpFlags.MOVABLE) && gfp.has(GfpFlags.HIGHMEM)) {
            return 3;
        }
        if (gfp.has(GfpFlags.HIGHMEM)) {
            return i386 ? 2 : 2;
        }
        if (gfp.has(GfpFlags.DMA32)) {
            return 1;
        }
        if (gfp.has(GfpFlags.DMA)) {
            return 0;
        }
        return i386 ? 1 : 2;
    }

    /** The decision explained as text. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> t = toTree();
        sb.append("report at line ").append(report.firstLine()).append(": ").append(report.header().comm())
                .append(" invoked oom-killer, gfp_mask=").append(String.format("0x%x", report.header().gfpMask()))
                .append(" order=").append(report.header().order()).append('\n');
        sb.append("era ").append(t.get("era")).append(", model profile ").append(t.get("profile"));
        if (!change.isNone()) {
            sb.append(", what-if: ").append(change.describe());
        }
        sb.append('\n');
        sb.append("kernel: killed ").append(report.kernelVictim());
        if (report.kernelScore() != null) {
            sb.append(" score ").append(report.kernelScore());
        }
        sb.append('\n');
        line(sb, "model", primary);
        if (alternate != null) {
            line(sb, "model, uid-0 tasks with CAP_SYS_ADMIN", alternate);
        }
        if (!change.isNone()) {
            sb.append(matchesKernel() ? "with the change the kernel would still have made the same decision"
                    : "with the change the decision differs from the kernel's");
        } else {
            sb.append(matchesKernel() ? "the model reaches the kernel's decision" : "the model does NOT reach the "
                    + "kernel's decision");
        }
        if (capabilityDecides()) {
            sb.append("; CAP_SYS_ADMIN of the uid-0 tasks (never printed) decides it: both outcomes above");
        }
        sb.append('\n');
        sb.append("totalpages: model ").append(primary.totalpages()).append(report.memcgOom()
                ? ", report memcg limit + swap " : ", report (RAM − reserved) + swap ").append(reportTotalpages())
                .append('\n');
        sb.append("top candidates (points = rss + swapents + pagetables + adj term").append(
                primary.rebuild().profile().equals("seed") ? " + root bonus" : "").append("):\n");
        for (Map<String, Object> c : candidates(primary, 5)) {
            sb.append(String.format("  %7s %-16s points %s score %s = %s + %s + %s + %s%s%n", c.get("pid"),
                    c.get("comm"), c.get("points"), c.get("score"), c.get("rss"), c.get("swapents"),
                    c.get("pagetables"), c.get("adj_term"), c.containsKey("root_bonus")
                            ? " + " + c.get("root_bonus") : ""));
        }
        List<Map<String, Object>> skipped = skipped(primary);
        if (!skipped.isEmpty()) {
            sb.append("larger than the victim, passed over:\n");
            for (Map<String, Object> s : skipped) {
                sb.append(String.format("  %7s %-16s %s pages: %s%n", s.get("pid"), s.get("comm"), s.get("size_pages"),
                        s.get("why")));
            }
        }
        if (!watermarks().isEmpty()) {
            sb.append("last chance (high watermark + lowmem_reserve) per zone:\n");
        }
        for (Map<String, Object> w : watermarks()) {
            sb.append(String.format("  Node %s %-7s free %s, needs > %s: short by %s (min + reserve %s: short by %s)",
                    w.get("node"), w.get("zone"), w.get("free"), w.get("high_plus_reserve"),
                    w.get("last_chance_short_by"), w.get("min_plus_reserve"), w.get("min_short_by")));
            if (w.get("largest_free_order") != null) {
                sb.append("; largest free block order ").append(w.get("largest_free_order"));
                if (Boolean.FALSE.equals(w.get("block_fits_order"))) {
                    sb.append(" < order ").append(report.header().order()).append(": no block fits");
                }
            }
            sb.append('\n');
        }
        if (!report.unrecognised().isEmpty()) {
            sb.append(report.unrecognised().size()).append(" unrecognised line(s):\n");
            report.unrecognised().forEach(u -> sb.append("  line ").append(u.line()).append(": ").append(u.text())
                    .append('\n'));
        }
        for (String n : primary.rebuild().notes()) {
            sb.append("note: ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String label, Decision d) {
        sb.append(label).append(": ");
        if (d.victim() == null) {
            sb.append("no kill (path ").append(String.join(" ", d.path())).append(")\n");
            return;
        }
        sb.append("kills ").append(d.victim()).append(" (").append(d.outcome().chosen().comm()).append(") points ")
                .append(d.outcome().chosen().pointsText()).append(" score ").append(d.score()).append(", ")
                .append(d.outcome().constraint()).append('\n');
    }
}
