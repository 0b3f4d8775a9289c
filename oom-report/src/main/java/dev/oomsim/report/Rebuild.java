package dev.oomsim.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.oomsim.kernel.scenario.ScenarioException;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;

/**
 * A report turned into a scenario tree (the format of docs/scenario-format.md) that the kernel model runs: the
 * machine as printed (nodes, zones, free blocks from the buddy lines, the printed watermarks, managed pages, swap),
 * the task table in order, the requester, and one {@code may_oom} event with the report's gfp and order.
 *
 * @param tree          the scenario, {@code LinkedHashMap}s and lists ready for Jackson
 * @param era           the report's era
 * @param profile       the profile the scenario runs with
 * @param requesterPid  the pid the event runs as
 * @param sysrq         true for a sysrq-forced OOM ({@code order=-1}): no allocation to replay
 * @param pagefault     true for {@code pagefault_out_of_memory} ({@code gfp_mask=0x0}, order 0, v4.x – v5.15):
 *                      no allocation to replay, {@code out_of_memory} ran directly
 * @param unsizedZones  true when the zone lines were cut before their sizes: the zones hold RAM − reserved in
 *                      total (the split is a guess, said in a note) and {@code out_of_memory} runs directly
 * @param memcg         for a memcg OOM the memcg whose limit was hit (the decision is
 *                      {@code mem_cgroup_out_of_memory} on it), else null
 * @param notes         what the rebuild could not take over exactly from the report
 */
public record Rebuild(Map<String, Object> tree, Era era, String profile, int requesterPid, boolean sysrq,
        boolean pagefault, boolean unsizedZones, String memcg, List<String> notes) {

    /** Whether the decision is {@code out_of_memory} called directly, not an allocation replayed. */
    public boolean direct() {
        return sysrq || pagefault || unsizedZones;
    }

    /**
     * {@code PAGE_COUNTER_MAX} in kB as a v1/v2 memcg report prints an unlimited limit (x86_64); the model's page
     * counts stop at 2^40, so such a limit stays the model's default (no limit).
     */
    static final long UNLIMITED_KB = 9007199254740988L;

    /** x86 pages: every kB figure of a report is divided by this. */
    static final long PAGE_KB = 4;

    /** Copies the list. */
    public Rebuild {
        notes = List.copyOf(notes);
    }

    /** Why a report cannot be rebuilt: the parts it lacks, by name. */
    public static final class IncompleteReportException extends IllegalArgumentException {
        private final List<String> missing;

        IncompleteReportException(int line, List<String> missing) {
            super("report at line " + line + " lacks " + String.join("; ", missing));
            this.missing = List.copyOf(missing);
        }

        /** The missing parts. */
        public List<String> missing() {
            return missing;
        }
    }

    /**
     * Rebuilds {@code r} with {@code change} applied; {@code capSysAdminForRoot} gives every uid-0 task
     * CAP_SYS_ADMIN (the report never prints capabilities).
     */
    public static Rebuild of(ParsedReport r, WhatIf change, boolean capSysAdminForRoot) {
        List<String> missing = r.missing();
        missing.remove(missing.stream().filter(s -> s.startsWith("kill lines")).findFirst().orElse(""));
        // zone lines cut before managed:/present: still give every task's points, from RAM − reserved
        boolean ramKnown = r.ram() != null && r.ram().ram() != null && r.ram().reserved() != null;
        boolean unsized = ramKnown && missing.removeIf(s -> s.startsWith("managed:/present: of "));
        if (!missing.isEmpty()) {
            throw new IncompleteReportException(r.firstLine(), missing);
        }
        Era era = Era.of(r);
        String profile = change.profile() != null ? change.profile() : era.profile();
        if (r.memcgOom()) {
            return ofMemcg(r, change, capSysAdminForRoot, era, profile);
        }
        List<String> notes = new ArrayList<>();
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("profile", profile);
        boolean highmem = r.zones().stream().anyMatch(z -> z.zone().equals("HighMem"));
        tree.put("arch", highmem ? "i386" : "x86_64");
        long swapPages = (r.swap() == null ? 0 : r.swap().totalKb() / PAGE_KB) + change.addSwapPages();
        tree.put("swap_pages", swapPages);

        Map<ParsedReport.ZoneInfo, Long> sizes = zoneSizes(r, notes);
        TreeMap<Integer, List<ParsedReport.ZoneInfo>> byNode = new TreeMap<>();
        for (ParsedReport.ZoneInfo z : r.zones()) {
            if (!z.zone().equals("Device")) {
                byNode.computeIfAbsent(z.node(), n -> new ArrayList<>()).add(z);
            }
        }
        // capacity left for task pages per node and zone, highest zone first
        Map<Integer, LinkedHashMap<String, long[]>> room = new LinkedHashMap<>();
        List<Object> nodes = new ArrayList<>();
        for (Map.Entry<Integer, List<ParsedReport.ZoneInfo>> e : byNode.entrySet()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", e.getKey());
            List<Object> zones = new ArrayList<>();
            LinkedHashMap<String, long[]> nodeRoom = new LinkedHashMap<>();
            for (ParsedReport.ZoneInfo z : e.getValue()) {
                Map<String, Object> zone = new LinkedHashMap<>();
                String type = zoneType(z.zone());
                long managed = sizes.get(z);
                long free = Math.min(z.freeKb() / PAGE_KB, managed);
                zone.put("type", type);
                zone.put("managed_pages", managed);
                Map<String, Long> blocks = freeBlocks(r, z, free);
                if (blocks == null) {
                    zone.put("free_pages", free);
                } else {
                    zone.put("free", blocks);
                }
                Map<String, Object> wm = new LinkedHashMap<>();
                wm.put("min", z.minKb() / PAGE_KB);
                wm.put("low", z.lowKb() / PAGE_KB);
                wm.put("high", z.highKb() / PAGE_KB);
                zone.put("watermarks", wm);
                zones.add(zone);
                nodeRoom.put(type, new long[] {managed - free});
            }
            node.put("zones", zones);
            nodes.add(node);
            room.put(e.getKey(), nodeRoom);
        }
        tree.put("nodes", nodes);
        long ramPages = r.ram().ram() - r.ram().reserved();
        long managedSum = sizes.values().stream().mapToLong(Long::longValue).sum();
        if (managedSum != ramPages) {
            notes.add("totalram: the model uses Σ managed of the zones = " + managedSum + " pages; the report's RAM − "
                    + "reserved = " + r.ram().ram() + " − " + r.ram().reserved() + " = " + ramPages + " pages");
        }
        if (r.zones().stream().anyMatch(z -> !z.lowmemReserve().isEmpty())) {
            notes.add("lowmem_reserve[]: the model computes it from lowmem_reserve_ratio and managed pages, "
                    + "not from the printed values");
        }

        int requester = r.requester() != null ? r.requester().pid() : -1;
        List<Object> tasks = new ArrayList<>();
        boolean requesterListed = false;
        long overflowTotal = 0;
        for (ParsedReport.TaskRow row : r.tasks()) {
            if (change.removed().contains(row.pid())) {
                continue;
            }
            requesterListed |= row.pid() == requester;
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("pid", row.pid());
            t.put("comm", comm(row, notes));
            t.put("uid", row.uid());
            long overflow = placeRss(t, row.rss(), room);
            overflowTotal += overflow;
            t.put("swapents", row.swapents() + overflow);
            t.put("nr_ptes", row.pageTablePages());
            t.put("total_vm", row.totalVm());
            t.put("oom_score_adj", change.oomScoreAdj().getOrDefault(row.pid(), row.oomScoreAdj()));
            t.put("cap_sys_admin", capSysAdminForRoot && row.uid() == 0);
            tasks.add(t);
        }
        if (overflowTotal > 0) {
            notes.add(overflowTotal + " rss pages (shared file pages counted in several tasks) do not fit the zones' "
                    + "used pages: the model holds them as swap entries of their tasks, so every badness is unchanged");
        }
        if (requester < 0) {
            requester = Integer.MAX_VALUE / 2;
            notes.add("no CPU/PID line: the requester runs as a kernel thread of pid " + requester);
        }
        if (!requesterListed) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("pid", requester);
            t.put("comm", r.requester() != null ? r.requester().comm() : r.header().comm());
            t.put("flags", List.of("kthread"));
            tasks.add(t);
            notes.add("requester " + requester + " is not in the task table: rebuilt as a kernel thread without an mm");
        }
        tree.put("tasks", tasks);

        boolean sysrq = r.header().order() < 0;
        boolean pagefault = r.header().gfpMask() == 0 && r.header().order() == 0;
        if (unsized && !sysrq && !pagefault) {
            notes.add("the zone sizes are not printed, so the allocation is not replayed: out_of_memory is called "
                    + "directly (the report shows the kernel reached it) on zones holding RAM − reserved in total, "
                    + "which fixes totalpages and every task's points");
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("pid", requester);
        if (pagefault) {
            event.put("gfp", "GFP_KERNEL");
            notes.add("gfp_mask=0x0 is pagefault_out_of_memory (v4.x – v5.15): no allocation ran; the decision is "
                    + "out_of_memory called directly, with GFP_KERNEL standing in for the empty mask (the kernel let 0 "
                    + "past its __GFP_FS check; no other step reads the mask when no zonelist is given)");
        } else {
            event.put("gfp", Gfp.toModel(r.header(), profile, (String) tree.get("arch"), notes));
        }
        event.put("order", Math.max(0, r.header().order()));
        event.put("node", firstNode(r, byNode));
        tree.put("events", List.of(Map.of("may_oom", event)));
        if (sysrq) {
            notes.add("order=-1 is a sysrq-forced OOM: no allocation ran; the decision is out_of_memory called "
                    + "directly on the rebuilt machine");
        }
        fitFreeBlocks(tree, r, notes);
        return new Rebuild(tree, era, profile, requester, sysrq, pagefault, unsized && !sysrq && !pagefault, null,
                notes);
    }

    /**
     * A memcg OOM: the report prints no Mem-Info, only the memcg's usage and limit and the memcg's tasks. The
     * machine is one node whose NORMAL zone holds exactly the tasks' rss (the memcg OOM never looks at zones), the
     * memcg carries the printed limits, and every listed task is in it.
     */
    private static Rebuild ofMemcg(ParsedReport r, WhatIf change, boolean capSysAdminForRoot, Era era,
            String profile) {
        List<String> notes = new ArrayList<>();
        ParsedReport.MemcgInfo mi = r.memcg();
        String name = r.memcgName();
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("profile", profile);
        tree.put("arch", "x86_64");
        long swapPages = (r.swap() == null ? 0 : r.swap().totalKb() / PAGE_KB) + change.addSwapPages();
        tree.put("swap_pages", swapPages);
        if (r.swap() == null) {
            notes.add("a memcg report prints no total swap: total_swap_pages taken as " + swapPages
                    + ", so totalpages = the memcg limit" + (swapPages == 0 ? "" : " + that swap")
                    + "; with more swap (and swappiness ≠ 0) every score would be lower");
        }
        long rssSum = r.tasks().stream().filter(t -> !change.removed().contains(t.pid()))
                .mapToLong(ParsedReport.TaskRow::rss).sum();
        Map<String, Object> zone = new LinkedHashMap<>();
        zone.put("type", "NORMAL");
        zone.put("managed_pages", rssSum);
        tree.put("nodes", List.of(Map.of("id", 0, "zones", List.of(zone))));
        notes.add("a memcg report prints no Mem-Info: the machine is rebuilt as one node holding the memcg's "
                + rssSum + " rss pages; mem_cgroup_out_of_memory looks at no zone");
        Map<String, Object> memcg = new LinkedHashMap<>();
        memcg.put("name", name);
        memcg.put("limit_pages", mi.limitKb() / PAGE_KB);
        Long memsw = mi.memswLimitKb() != null ? mi.memswLimitKb()
                : mi.swapLimitKb() != null && mi.swapLimitKb() < UNLIMITED_KB ? mi.limitKb() + mi.swapLimitKb()
                        : null;
        if (memsw != null && memsw < UNLIMITED_KB) {
            memcg.put("memsw_limit_pages", memsw / PAGE_KB);
        }
        tree.put("memcgs", List.of(memcg));
        notes.add("memcg " + name + ": usage " + mi.usageKb() + "kB, limit " + mi.limitKb() + "kB; its swappiness is "
                + "not printed (model default 60)");
        int requester = r.requester() != null ? r.requester().pid() : -1;
        List<Object> tasks = new ArrayList<>();
        boolean requesterListed = false;
        for (ParsedReport.TaskRow row : r.tasks()) {
            if (change.removed().contains(row.pid())) {
                continue;
            }
            requesterListed |= row.pid() == requester;
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("pid", row.pid());
            t.put("comm", comm(row, notes));
            t.put("uid", row.uid());
            t.put("rss", Map.of("0", Map.of("NORMAL", Map.of("anon", row.rss()))));
            t.put("swapents", row.swapents());
            t.put("nr_ptes", row.pageTablePages());
            t.put("total_vm", row.totalVm());
            t.put("oom_score_adj", change.oomScoreAdj().getOrDefault(row.pid(), row.oomScoreAdj()));
            t.put("cap_sys_admin", capSysAdminForRoot && row.uid() == 0);
            t.put("memcg", name);
            tasks.add(t);
        }
        if (requester < 0) {
            requester = Integer.MAX_VALUE / 2;
            notes.add("no CPU/PID line: the requester runs as pid " + requester);
        }
        if (!requesterListed) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("pid", requester);
            t.put("comm", r.requester() != null ? r.requester().comm() : r.header().comm());
            t.put("memcg", name);
            t.put("flags", List.of("no_mm"));
            tasks.add(t);
            notes.add("requester " + requester + " is not in the task table: rebuilt in the memcg without an mm");
        }
        tree.put("tasks", tasks);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("pid", requester);
        event.put("gfp", Gfp.toModel(r.header(), profile, "x86_64", notes));
        event.put("order", Math.max(0, r.header().order()));
        tree.put("events", List.of(Map.of("may_oom", event)));
        return new Rebuild(tree, era, profile, requester, false, false, false, name, notes);
    }

    private static int firstNode(ParsedReport r, TreeMap<Integer, List<ParsedReport.ZoneInfo>> byNode) {
        String mems = r.cpuset() != null ? r.cpuset().memsAllowed() : r.summary() != null ? r.summary().memsAllowed()
                : null;
        if (mems != null) {
            try {
                int n = Integer.parseInt(mems.split("[-,]")[0]);
                if (byNode.containsKey(n)) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // the first node then
            }
        }
        return byNode.firstKey();
    }

    /**
     * Puts {@code rss} pages into the zones' used pages (highest zone first, node by node); returns what did not fit.
     */
    private static long placeRss(Map<String, Object> task, long rss, Map<Integer, LinkedHashMap<String, long[]>> room) {
        long left = rss;
        Map<String, Object> perNode = new LinkedHashMap<>();
        for (Map.Entry<Integer, LinkedHashMap<String, long[]>> n : room.entrySet()) {
            List<String> types = new ArrayList<>(n.getValue().keySet());
            Map<String, Object> perZone = new LinkedHashMap<>();
            for (int i = types.size() - 1; i >= 0 && left > 0; i--) {
                long[] cap = n.getValue().get(types.get(i));
                long take = Math.min(cap[0], left);
                if (take > 0) {
                    cap[0] -= take;
                    left -= take;
                    perZone.put(types.get(i), Map.of("anon", take));
                }
            }
            if (!perZone.isEmpty()) {
                perNode.put(String.valueOf(n.getKey()), perZone);
            }
        }
        if (!perNode.isEmpty()) {
            task.put("rss", perNode);
        }
        return left;
    }

    /** The zone's free blocks by order from its buddy line, order 0 evened out to the printed free count. */
    private static Map<String, Long> freeBlocks(ParsedReport r, ParsedReport.ZoneInfo z, long free) {
        for (ParsedReport.BuddyLine b : r.buddies()) {
            if (b.node() == z.node() && b.zone().equals(z.zone())) {
                Map<Integer, Long> out = new TreeMap<>();
                long pages = 0;
                for (ParsedReport.FreeBlocks f : b.orders()) {
                    if (f.count() > 0) {
                        out.put(f.order(), f.count());
                        pages += f.count() << f.order();
                    }
                }
                long zero = out.getOrDefault(0, 0L) + (free - pages);
                if (zero < 0) {
                    return null;
                }
                out.put(0, zero);
                Map<String, Long> keyed = new LinkedHashMap<>();
                out.forEach((k, v) -> keyed.put(String.valueOf(k), v));
                return keyed;
            }
        }
        return null;
    }

    /**
     * Managed pages per zone: as printed, or for zones whose line was cut before its size, what RAM − reserved
     * leaves: each such zone but the last gets its free pages, the last the rest.
     */
    private static Map<ParsedReport.ZoneInfo, Long> zoneSizes(ParsedReport r, List<String> notes) {
        Map<ParsedReport.ZoneInfo, Long> out = new java.util.IdentityHashMap<>();
        List<ParsedReport.ZoneInfo> unsized = new ArrayList<>();
        long known = 0;
        for (ParsedReport.ZoneInfo z : r.zones()) {
            if (z.managedKb() < 0) {
                unsized.add(z);
            } else {
                out.put(z, z.managedKb() / PAGE_KB);
                known += z.managedKb() / PAGE_KB;
            }
        }
        if (unsized.isEmpty()) {
            return out;
        }
        long left = r.ram().ram() - r.ram().reserved() - known;
        List<String> split = new ArrayList<>();
        for (int i = 0; i < unsized.size(); i++) {
            ParsedReport.ZoneInfo z = unsized.get(i);
            long free = z.freeKb() / PAGE_KB;
            long size = i == unsized.size() - 1 ? Math.max(left, free) : Math.min(free, Math.max(left, 0));
            left -= size;
            out.put(z, size);
            split.add("Node " + z.node() + " " + z.zone() + " " + size);
        }
        notes.add("zone sizes not printed: RAM − reserved = " + (r.ram().ram() - r.ram().reserved())
                + " pages split as " + String.join(", ", split) + " (a guess; it decides no task's points)");
        return out;
    }

    private static final Pattern NO_FIT = Pattern.compile(
            "nodes\\[(\\d+)\\]\\.zones\\[(\\d+)\\]: free blocks do not fit");

    /**
     * Boots the rebuilt machine; where a zone's buddy-line blocks do not fit the model's zone (it is contiguous and
     * exactly managed pages long, a real zone spans holes that take the alignment slack), that zone keeps its free
     * pages as order-0 pages instead, said in a note.
     */
    @SuppressWarnings("unchecked")
    private static void fitFreeBlocks(Map<String, Object> tree, ParsedReport r, List<String> notes) {
        for (int attempt = 0; attempt <= r.zones().size(); attempt++) {
            try {
                new ScenarioRunner(ScenarioParser.parse(tree));
                return;
            } catch (ScenarioException e) {
                Matcher m = NO_FIT.matcher(String.valueOf(e.getMessage()));
                if (!m.find()) {
                    throw e;
                }
                Map<String, Object> node = (Map<String, Object>) ((List<Object>) tree.get("nodes"))
                        .get(Integer.parseInt(m.group(1)));
                Map<String, Object> zone = (Map<String, Object>) ((List<Object>) node.get("zones"))
                        .get(Integer.parseInt(m.group(2)));
                Map<String, Long> blocks = (Map<String, Long>) zone.remove("free");
                long pages = 0;
                for (Map.Entry<String, Long> b : blocks.entrySet()) {
                    pages += b.getValue() << Integer.parseInt(b.getKey());
                }
                zone.put("free_pages", pages);
                notes.add("Node " + node.get("id") + " " + zone.get("type") + ": the buddy line's free blocks do not "
                        + "fit the model's zone (contiguous, managed pages long, no holes for alignment); its "
                        + pages + " free pages are held as order-0 pages (only an order > 0 request would notice)");
            }
        }
    }

    /** The model's comm for a row: the kernel's comm has at most 15 characters (TASK_COMM_LEN 16). */
    private static String comm(ParsedReport.TaskRow row, List<String> notes) {
        if (row.name().length() <= 15) {
            return row.name();
        }
        String cut = row.name().substring(0, 15);
        notes.add("task " + row.pid() + ": name \"" + row.name() + "\" is longer than a comm; the model uses \"" + cut
                + "\"");
        return cut;
    }

    static String zoneType(String printed) {
        return switch (printed) {
            case "Normal" -> "NORMAL";
            case "HighMem" -> "HIGHMEM";
            case "Movable" -> "MOVABLE";
            default -> printed;
        };
    }
}
