package dev.oomsim.kernel.oom;

import java.util.List;

import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;

/**
 * The printk formats of the OOM report per profile (mm/oom_kill.c {@code dump_header}, {@code dump_tasks},
 * {@code oom_kill_process}), byte for byte. Stateless.
 */
public enum OomReportFormat {
    /** v4.4. */
    SEED {
        @Override
        public List<String> header(Task current, String gfpText, int order) {
            return List.of(invoked(current, gfpText, order), current.comm() + " cpuset=" + current.cpuset().cgroupName()
                    + " mems_allowed=" + current.cpuset().mems().rangeList());
        }

        @Override
        public List<String> dumpTasksHeader() {
            return List.of("[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name");
        }

        @Override
        public String dumpTaskRow(Task t, long rssPages) {
            Mm mm = t.mm();
            return String.format("[%5d] %5d %5d %8d %8d %7d %7d %8d         %5d %s", t.pid(), t.uid(), t.tgid(),
                    mm.totalVmPages(), rssPages, mm.nrPtes(), mm.nrPmds(), mm.swapents(), t.oomScoreAdj(),
                    t.comm());
        }

        @Override
        public String chosenLine(String message, Task p, long score) {
            return message + ": Kill process " + p.pid() + " (" + p.comm() + ") score " + score + " or sacrifice child";
        }

        /**
         * v4.4 {@code oom_kill_process}: file-rss is {@code get_mm_counter(mm, MM_FILEPAGES)}, which in v4.4 still
         * counts shmem pages (MM_SHMEMPAGES split them off in v4.5).
         */
        @Override
        public String killedLine(String message, Task victim, long anonPages, long filePages) {
            Mm mm = victim.mm();
            return "Killed process " + victim.pid() + " (" + victim.comm() + ") total-vm:" + kb(mm.totalVmPages())
                    + "kB, anon-rss:" + kb(anonPages) + "kB, file-rss:" + kb(filePages + mm.shmemPages()) + "kB";
        }
    },
    /** v6.1. */
    MODERN {
        @Override
        public List<String> header(Task current, String gfpText, int order) {
            return List.of(invoked(current, gfpText, order));
        }

        @Override
        public List<String> dumpTasksHeader() {
            return List.of("Tasks state (memory values in pages):",
                    "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name");
        }

        @Override
        public String dumpTaskRow(Task t, long rssPages) {
            Mm mm = t.mm();
            return String.format("[%7d] %5d %5d %8d %8d %8d %8d         %5d %s", t.pid(), t.uid(), t.tgid(),
                    mm.totalVmPages(), rssPages, (mm.nrPtes() + mm.nrPmds()) * 4096, mm.swapents(),
                    t.oomScoreAdj(), t.comm());
        }

        @Override
        public String chosenLine(String message, Task p, long score) {
            return null;
        }

        @Override
        public String killedLine(String message, Task victim, long anonPages, long filePages) {
            Mm mm = victim.mm();
            return message + ": Killed process " + victim.pid() + " (" + victim.comm() + ") total-vm:"
                    + kb(mm.totalVmPages()) + "kB, anon-rss:" + kb(anonPages) + "kB, file-rss:"
                    + kb(filePages) + "kB, shmem-rss:" + kb(mm.shmemPages()) + "kB, UID:" + victim.uid()
                    + " pgtables:" + kb(mm.nrPtes() + mm.nrPmds()) + "kB oom_score_adj:" + victim.oomScoreAdj();
        }
    };

    /** The format of a profile. */
    public static OomReportFormat of(Profile profile) {
        return profile == Profile.SEED ? SEED : MODERN;
    }

    /** The {@code dump_header} lines before the task dump (stack and meminfo are not modelled). */
    public abstract List<String> header(Task current, String gfpText, int order);

    /** The {@code dump_tasks} heading lines. */
    public abstract List<String> dumpTasksHeader();

    /** One {@code dump_tasks} row; {@code rssPages} is the mm's rss summed over the nodes' memory. */
    public abstract String dumpTaskRow(Task t, long rssPages);

    /** The "Kill process … or sacrifice child" line (seed), or null when the profile has none. */
    public abstract String chosenLine(String message, Task p, long score);

    /** The "Killed process …" line; anon and file rss are the victim mm's, summed over the nodes' memory. */
    public abstract String killedLine(String message, Task victim, long anonPages, long filePages);

    static String invoked(Task current, String gfpText, int order) {
        return current.comm() + " invoked oom-killer: gfp_mask=" + gfpText + ", order=" + order + ", oom_score_adj="
                + current.oomScoreAdj();
    }

    static long kb(long pages) {
        return pages * 4;
    }
}
