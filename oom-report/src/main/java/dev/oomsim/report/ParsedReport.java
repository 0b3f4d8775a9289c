package dev.oomsim.report;

import java.util.List;

/**
 * One OOM report as the kernel printed it, part by part. Absent parts are null (or empty lists); {@link #missing()}
 * names the parts the decision needs and the report lacks.
 *
 * @param firstLine    1-based line number of the header in the input
 * @param header       the {@code invoked oom-killer} line
 * @param requester    the {@code CPU: n PID: p Comm: c} line, null when absent
 * @param cpuset       the pre-v4.19 {@code cpuset=… mems_allowed=…} line
 * @param zones        per-zone lines, in printed order
 * @param buddies      buddy free-list lines, in printed order
 * @param swap         {@code Free swap} / {@code Total swap}
 * @param ram          {@code pages RAM}, {@code pages reserved}, {@code pages HighMem/MovableOnly}
 * @param tableColumns the task table's column names between {@code [ pid ]} and {@code name}, null without a table
 * @param tasks        the task table rows in order
 * @param summary      the v4.19+ {@code oom-kill:} line
 * @param memcg        the memory-cgroup lines of a memcg OOM ({@code Task in … killed as a result of limit of …},
 *                     {@code memory: usage … limit …}, {@code Memory cgroup stats for …}), null without any
 * @param kills        the kill lines in order
 * @param unrecognised lines inside the report this parser does not understand
 */
public record ParsedReport(int firstLine, Header header, Requester requester, CpusetLine cpuset, List<ZoneInfo> zones,
        List<BuddyLine> buddies, Swap swap, RamPages ram, List<String> tableColumns, List<TaskRow> tasks,
        KillSummary summary, MemcgInfo memcg, List<KillLine> kills, List<Unrecognised> unrecognised) {

    /** Copies the lists. */
    public ParsedReport {
        zones = List.copyOf(zones);
        buddies = List.copyOf(buddies);
        tableColumns = tableColumns == null ? null : List.copyOf(tableColumns);
        tasks = List.copyOf(tasks);
        kills = List.copyOf(kills);
        unrecognised = List.copyOf(unrecognised);
    }

    /** {@code <comm> invoked oom-killer: gfp_mask=0x…(decoded), [nodemask=…,] order=N, oom_score_adj=N}. */
    public record Header(int line, String comm, long gfpMask, String gfpDecoded, String nodemask, int order,
            int oomScoreAdj) {
    }

    /** {@code CPU: 4 PID: 29481 Comm: sed Not tainted 3.10.0-514.6.1.el7.x86_64 #1}. */
    public record Requester(int line, int cpu, int pid, String comm, String kernelRelease) {
    }

    /** {@code sed cpuset=/ mems_allowed=0-1} (before v4.19; later in the {@code oom-kill:} line). */
    public record CpusetLine(int line, String cpuset, String memsAllowed) {
    }

    /**
     * {@code Node 0 Normal free:36692kB min:… low:… high:… present:… managed:… lowmem_reserve[]: 0 0 0 0}; the
     * {@code lowmem_reserve[]} values (pages) may come on the next line. {@code managedKb} is {@code present:} where
     * the era prints no {@code managed:}, and -1 where the line (cut short) prints neither.
     */
    public record ZoneInfo(int line, int node, String zone, long freeKb, long minKb, long lowKb, long highKb,
            long presentKb, long managedKb, List<Long> lowmemReserve) {
        /** Copies the list. */
        public ZoneInfo {
            lowmemReserve = List.copyOf(lowmemReserve);
        }

        ZoneInfo withLowmemReserve(List<Long> reserve) {
            return new ZoneInfo(line, node, zone, freeKb, minKb, lowKb, highKb, presentKb, managedKb, reserve);
        }
    }

    /** {@code Node 0 DMA32: 203*4kB (UEM) 231*8kB (UEM) … = 63668kB}. */
    public record BuddyLine(int line, int node, String zone, List<FreeBlocks> orders, long totalKb) {
        /** Copies the list. */
        public BuddyLine {
            orders = List.copyOf(orders);
        }
    }

    /** One order of a buddy line: count blocks of size kB, with the migrate-type tags printed (U, M, E, H, C, I). */
    public record FreeBlocks(int order, long count, long sizeKb, String migrateTypes) {
    }

    /** {@code Free swap = …kB}, {@code Total swap = …kB}. */
    public record Swap(long freeKb, long totalKb) {
    }

    /** {@code N pages RAM}, {@code N pages reserved}, {@code N pages HighMem/MovableOnly} (null when not printed). */
    public record RamPages(Long ram, Long reserved, Long highmem) {
    }

    /**
     * One row of the task table. {@code nrPtes}, {@code nrPmds} and {@code pgtablesBytes} are null where the era's
     * columns lack them.
     */
    public record TaskRow(int line, int pid, int uid, int tgid, long totalVm, long rss, Long nrPtes, Long nrPmds,
            Long pgtablesBytes, long swapents, int oomScoreAdj, String name) {
        /** The page-table pages oom_badness adds: nr_ptes + nr_pmds, or pgtables_bytes / PAGE_SIZE. */
        public long pageTablePages() {
            if (pgtablesBytes != null) {
                return pgtablesBytes / 4096;
            }
            return (nrPtes == null ? 0 : nrPtes) + (nrPmds == null ? 0 : nrPmds);
        }
    }

    /** {@code oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,…,task=…,pid=…,uid=…}. */
    public record KillSummary(int line, String constraint, String cpuset, String memsAllowed, String oomMemcg,
            String taskMemcg, String task, int pid, int uid) {
    }

    /**
     * The memcg lines: the memcg of the task and the one whose limit was hit (v3.x – v4.x {@code Task in} line), the
     * usage and limits in kB ({@code memory:}, v1 {@code memory+swap:}, v2 {@code swap:}), and the memcg the stats
     * were printed for. Fields the report does not print are null.
     */
    public record MemcgInfo(int line, String taskMemcg, String limitMemcg, Long usageKb, Long limitKb,
            Long memswLimitKb, Long swapLimitKb, String statsFor) {
    }

    /** A kill line: which kind, the pid and comm it names, and the score when the line prints one. */
    public record KillLine(int line, Kind kind, int pid, String comm, Long score) {
        /** The kill lines of every era. */
        public enum Kind {
            /** {@code Out of memory: Kill process P (c) score S or sacrifice child} (to v4.x). */
            KILL_PROCESS,
            /** {@code Killed process P (c) total-vm:…} (with or without {@code Out of memory: }). */
            KILLED_PROCESS,
            /** {@code Kill process P (c) sharing same memory}. */
            SHARING,
            /** {@code oom_reaper: reaped process P (c), now anon-rss:…}. */
            REAPED
        }
    }

    /** A line inside a report this parser does not understand, with its 1-based number in the input. */
    public record Unrecognised(int line, String text) {
    }

    /**
     * Whether the memory cgroup's limit invoked this OOM ({@code constraint=CONSTRAINT_MEMCG}, or before v4.19 a
     * {@code memory: usage … limit …} line in the report).
     */
    public boolean memcgOom() {
        return (summary != null && "CONSTRAINT_MEMCG".equals(summary.constraint()))
                || (memcg != null && memcg.limitKb() != null);
    }

    /** The memcg whose limit was hit: {@code oom_memcg=}, else the {@code limit of} memcg, else the stats' memcg. */
    public String memcgName() {
        if (summary != null && summary.oomMemcg() != null) {
            return summary.oomMemcg();
        }
        if (memcg == null) {
            return null;
        }
        return memcg.limitMemcg() != null ? memcg.limitMemcg() : memcg.statsFor();
    }

    /** The parts the rebuilt decision needs and this report lacks, by name; empty when it has them all. */
    public List<String> missing() {
        List<String> out = new java.util.ArrayList<>();
        if (memcgOom()) {
            if (memcg == null || memcg.limitKb() == null) {
                out.add("the memcg limit line (memory: usage …kB, limit …kB)");
            }
            if (memcgName() == null) {
                out.add("the memcg's name (oom_memcg=, Task in … limit of …, or Memory cgroup stats for …)");
            }
        } else {
            if (zones.isEmpty()) {
                out.add("per-zone lines (Mem-Info: Node N ZONE free:… min:…)");
            }
            if (ram == null || ram.ram() == null || ram.reserved() == null) {
                out.add("pages RAM / pages reserved lines");
            }
            List<String> unsized = zones.stream().filter(z -> z.managedKb() < 0)
                    .map(z -> "Node " + z.node() + " " + z.zone()).toList();
            if (!unsized.isEmpty()) {
                out.add("managed:/present: of " + String.join(", ", unsized)
                        + " (the zone lines are cut short; only their sum, RAM − reserved, is printed)");
            }
        }
        if (tableColumns == null) {
            out.add("task table header ([ pid ] uid tgid total_vm rss …)");
        } else if (tasks.isEmpty()) {
            out.add("task table rows");
        }
        if (kills.isEmpty() && summary == null) {
            out.add("kill lines (Kill process / Killed process / oom-kill:) — the table may be truncated");
        }
        return out;
    }

    /** The pid the kernel killed: the first kill line's, else the {@code oom-kill:} line's; null without either. */
    public Integer kernelVictim() {
        for (KillLine k : kills) {
            if (k.kind() == KillLine.Kind.KILL_PROCESS || k.kind() == KillLine.Kind.KILLED_PROCESS) {
                return k.pid();
            }
        }
        return summary == null ? null : summary.pid();
    }

    /** The score the kernel printed on its {@code Kill process … score S} line; null where the era prints none. */
    public Long kernelScore() {
        for (KillLine k : kills) {
            if (k.score() != null) {
                return k.score();
            }
        }
        return null;
    }
}
