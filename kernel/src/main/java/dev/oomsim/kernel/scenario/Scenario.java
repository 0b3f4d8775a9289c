package dev.oomsim.kernel.scenario;

import java.util.List;
import java.util.Set;

import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.NodeSpec;
import dev.oomsim.kernel.mm.ZoneType;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.task.Cpuset;
import dev.oomsim.kernel.task.Memcg;
import dev.oomsim.kernel.task.Mempolicy;
import dev.oomsim.kernel.task.OomScoreAdjRange;
import dev.oomsim.kernel.task.TaskFlag;

/**
 * A typed scenario (docs/scenario-format.md): machine, tasks, events and run options. Built by {@link ScenarioParser}.
 */
public record Scenario(Profile profile, Arch arch, SysctlSpec sysctl, long swapPages, boolean suspendedStorage,
        boolean oomKillerDisabled, boolean oomLockHeld, long oomNotifierFreesPages, List<NodeSpec> nodes,
        List<Cpuset> cpusets, List<Memcg> memcgs, List<TaskSpec> tasks, List<Event> events, Options options,
        List<Long> eventClockMs) {

    /** The logical clock of an event that runs with none: the rate limits are off. */
    public static final long NO_CLOCK = -1;

    /** Copies the lists; {@code eventClockMs} has one entry per event, {@link #NO_CLOCK} or a time in ms. */
    public Scenario {
        nodes = List.copyOf(nodes);
        cpusets = List.copyOf(cpusets);
        memcgs = List.copyOf(memcgs);
        tasks = List.copyOf(tasks);
        events = List.copyOf(events);
        eventClockMs = List.copyOf(eventClockMs);
        if (eventClockMs.size() != events.size()) {
            throw new IllegalArgumentException("eventClockMs: one entry per event expected, got "
                    + eventClockMs.size() + " for " + events.size() + " events");
        }
    }

    /**
     * The logical time event {@code index} runs at (docs/scenario-format.md, {@code at_ms} and
     * {@code options.time_ms_per_event}), or {@link #NO_CLOCK}.
     */
    public long clockMs(int index) {
        return eventClockMs.get(index);
    }

    /** The {@code sysctl} block; null fields mean "computed / arch default". */
    public record SysctlSpec(Long minFreeKbytes, List<Long> lowmemReserveRatio, int panicOnOom,
            int oomKillAllocatingTask, int oomDumpTasks, long watermarkScaleFactor) {
    }

    /** Pages a task holds on a node (zone null: the node's highest populated zone). */
    public record RssSpec(int node, ZoneType zone, long anonPages, long filePages) {
        /** Validates the counts. */
        public RssSpec {
            if (anonPages < 0) {
                throw new IllegalArgumentException("anon: must be >= 0, got " + anonPages);
            }
            if (filePages < 0) {
                throw new IllegalArgumentException("file: must be >= 0, got " + filePages);
            }
        }
    }

    /**
     * One task. {@code mm} is the id of the mm it uses (its own pid by default); {@code shmemPages} is its mm's
     * {@code MM_SHMEMPAGES}, a counter of the mm on no node (docs/kernel-model.md §3).
     */
    public record TaskSpec(int pid, int tgid, String comm, int uid, int parent, int mm, List<RssSpec> rss,
            long swapents, long nrPtes, long nrPmds, long totalVmPages, long shmemPages, int oomScoreAdj,
            boolean capSysAdmin, String cpuset, Mempolicy mempolicy, String memcg, Set<TaskFlag> flags) {
        /** Validates the identity fields and copies the collections. */
        public TaskSpec {
            if (shmemPages < 0) {
                throw new IllegalArgumentException("shmem_pages: must be >= 0, got " + shmemPages);
            }
            if (pid <= 0) {
                throw new IllegalArgumentException("pid: must be > 0, got " + pid);
            }
            if (comm == null || comm.isEmpty() || comm.length() > 15) {
                throw new IllegalArgumentException("comm: must be 1..15 characters, got " + comm);
            }
            OomScoreAdjRange.require(oomScoreAdj, "");
            rss = List.copyOf(rss);
            flags = Set.copyOf(flags);
        }
    }

    /**
     * Run options: retry budget, victim exits, reclaim and compaction models, logical time per event (null: none), the
     * modern oom_reaper's delay.
     */
    public record Options(int maxRetries, boolean exitVictimsBeforeRetry, Long reclaimPagesPerPass,
            boolean compactionSucceeds, Long timeMsPerEvent, boolean reclaimQuirk44, long oomReaperDelayMs) {
        /** Validates the numbers. */
        public Options {
            if (oomReaperDelayMs < 0) {
                throw new IllegalArgumentException("oom_reaper_delay_ms: must be >= 0, got " + oomReaperDelayMs);
            }
            if (maxRetries < 0) {
                throw new IllegalArgumentException("max_retries: must be >= 0, got " + maxRetries);
            }
            if (reclaimPagesPerPass != null && reclaimPagesPerPass < 0) {
                throw new IllegalArgumentException("reclaim_pages_per_pass: must be >= 0, got " + reclaimPagesPerPass);
            }
            if (timeMsPerEvent != null && timeMsPerEvent < 0) {
                throw new IllegalArgumentException("time_ms_per_event: must be >= 0, got " + timeMsPerEvent);
            }
        }
    }

    /** One event, with its path in the scenario ({@code events[3]}). */
    public sealed interface Event {
        /** The event's path, for error messages. */
        String path();

        /** The task the event is about (the requester of an allocation). */
        int pid();
    }

    /** {@code alloc}: the whole allocation path. {@code node} -1: the requester's default. */
    public record AllocEvent(String path, int pid, GfpFlags gfp, int order, int node) implements Event {
    }

    /** {@code may_oom}: the seed function on its own. */
    public record MayOomEvent(String path, int pid, GfpFlags gfp, int order, int node) implements Event {
    }

    /** {@code free}: a task gives back a block. */
    public record FreeEvent(String path, int pid, int node, long pfn, int order) implements Event {
    }

    /** {@code exit}: a task exits. */
    public record ExitEvent(String path, int pid) implements Event {
    }

    /** {@code set}: change a task's oom_score_adj. */
    public record SetEvent(String path, int pid, int oomScoreAdj) implements Event {
    }

    /** {@code charge}: the memcg charge path. */
    public record ChargeEvent(String path, int pid, long pages) implements Event {
    }

    /** {@code oom_score}: what /proc/PID/oom_score reads. */
    public record OomScoreEvent(String path, int pid) implements Event {
    }
}
