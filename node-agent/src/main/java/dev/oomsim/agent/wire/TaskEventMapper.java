package dev.oomsim.agent.wire;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.NodeMask;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioException;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Cpuset;
import dev.oomsim.kernel.task.Mempolicy;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.schemas.NodeRss;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.service.DeadLetterCategory;

/**
 * A {@code task-events} record in the kernel's terms: a SPAWN as the {@link Scenario.TaskSpec} boot would load for a
 * machine-file task, an rss report as {@link Scenario.RssSpec}s. Every check depends only on the record and on what
 * every agent's copy of the machine holds alike at the record's offset (the topology, the cpusets, and the pids and mm
 * ids ever known, which only boot and SPAWN records add), so every agent decides alike and one may report for all.
 * Stateless.
 */
public final class TaskEventMapper {
    /** {@code TASK_COMM_LEN}: task->comm holds 15 characters and the NUL. */
    public static final int TASK_COMM_LEN = 16;

    private TaskEventMapper() {
    }

    /** The task a SPAWN record describes, or why it cannot join the table (duplicate-pid, invalid-spawn). */
    public static Scenario.TaskSpec spawn(TaskEvent e, ScenarioRunner runner) throws Rejected {
        Machine machine = runner.machine();
        int pid = e.getPid();
        if (pid <= 0) {
            throw invalid(e, "pid must be > 0");
        }
        Task existing = machine.tasks().get(pid);
        if (existing != null) {
            throw new Rejected(DeadLetterCategory.DUPLICATE_PID, "duplicate pid " + pid
                    + ": the task table already has pid " + pid + " ("
                    + existing.comm() + "); pids are not reused");
        }
        String comm = e.getComm().toString();
        if (comm.isEmpty()) {
            throw invalid(e, "comm is empty");
        }
        // __set_task_comm keeps what fits in TASK_COMM_LEN.
        comm = comm.length() < TASK_COMM_LEN ? comm : comm.substring(0, TASK_COMM_LEN - 1);
        if (e.getUid() < 0) {
            throw invalid(e, "uid " + e.getUid() + " is negative");
        }
        int tgid = e.getTgid() == 0 ? pid : e.getTgid();
        if (tgid != pid && machine.tasks().get(tgid) == null) {
            throw invalid(e, "thread group leader " + tgid + " is not in the task table");
        }
        int parent = e.getParent() == null ? 0 : e.getParent();
        if (parent != 0 && machine.tasks().get(parent) == null) {
            throw invalid(e, "parent " + parent + " is not in the task table");
        }
        OomScoreAdj.check(e.getOomScoreAdj(), DeadLetterCategory.INVALID_SPAWN, "SPAWN of pid " + pid + ": ");
        Set<TaskFlag> flags = flags(e);
        List<Scenario.RssSpec> rss = rss(e, machine, "SPAWN");
        boolean noMm = flags.contains(TaskFlag.KTHREAD) || flags.contains(TaskFlag.NO_MM);
        int mm = pid;
        if (e.getMmId() == null) {
            if (!noMm) {
                flags.add(TaskFlag.NO_MM);
            }
            if (!rss.isEmpty()) {
                throw invalid(e, "a task without an mm holds no user pages");
            }
        } else {
            mm = e.getMmId();
            if (noMm) {
                throw invalid(e, "a kernel thread or no_mm task has no mm, but mmId is " + mm);
            }
            if (mm != pid) {
                if (runner.mm(mm) == null) {
                    throw invalid(e, "mm " + mm
                            + " is not an mm of the task table (an mm id is the pid of the task that"
                            + " owns it)");
                }
                if (!rss.isEmpty() || e.getSwapents() != 0 || e.getNrPtes() != 0 || e.getNrPmds() != 0
                        || e.getTotalVm() != 0 || e.getShmemPages() != 0) {
                    throw invalid(e, "a task sharing mm " + mm + " leaves rss, swapents, nrPtes, nrPmds, totalVm and"
                            + " shmemPages to the mm's owner");
                }
            }
        }
        for (long counter : List.of(e.getSwapents(), e.getNrPtes(), e.getNrPmds(), e.getTotalVm(),
                e.getShmemPages())) {
            if (counter < 0) {
                throw invalid(e, "swapents, nrPtes, nrPmds, totalVm and shmemPages must be >= 0, got " + counter);
            }
        }
        String cpusetName = e.getCpuset().toString();
        Cpuset cpuset = machine.tasks().cpuset(cpusetName);
        if (cpuset == null) {
            throw invalid(e, "unknown cpuset " + cpusetName);
        }
        for (int node : e.getMemsAllowed()) {
            if (node < 0 || node >= machine.nodes().size()) {
                throw invalid(e, "mems_allowed " + e.getMemsAllowed() + " names node " + node
                        + ", not a node of the machine");
            }
        }
        if (!e.getMemsAllowed().isEmpty() && !NodeMask.of(e.getMemsAllowed()).equals(cpuset.mems())) {
            throw invalid(e, "mems_allowed " + e.getMemsAllowed() + " is not cpuset " + cpusetName + "'s mems "
                    + cpuset.mems().nodes() + " (a task's mems_allowed is its cpuset's)");
        }
        Mempolicy mempolicy;
        try {
            mempolicy = ScenarioParser.parseMempolicy(e.getMempolicy().toString(), "mempolicy", machine.nodes().size());
        } catch (ScenarioException x) {
            throw invalid(e, x.getMessage());
        }
        return new Scenario.TaskSpec(pid, tgid, comm, e.getUid(), parent, mm, rss, e.getSwapents(), e.getNrPtes(),
                e.getNrPmds(), e.getTotalVm(), e.getShmemPages(), e.getOomScoreAdj(), e.getCapSysAdmin(), cpusetName,
                mempolicy, null, flags);
    }

    /**
     * The record's per-node rss, by node, or why it is bad (invalid-rss for an RSS report, invalid-spawn for a SPAWN):
     * a node of the machine once each, counts not negative, pages only on a node with memory.
     */
    public static List<Scenario.RssSpec> rss(TaskEvent e, Machine machine, String kind) throws Rejected {
        TreeMap<Integer, Scenario.RssSpec> byNode = new TreeMap<>();
        for (NodeRss r : e.getRss()) {
            String what = "rss of node " + r.getNode();
            if (r.getNode() < 0 || r.getNode() >= machine.nodes().size()) {
                throw invalidRss(e, kind, what + ": the machine has nodes 0.." + (machine.nodes().size() - 1));
            }
            if (r.getAnonPages() < 0 || r.getFilePages() < 0) {
                throw invalidRss(e, kind, what + ": anon " + r.getAnonPages() + ", file " + r.getFilePages()
                        + " (must be >= 0)");
            }
            if (r.getAnonPages() + r.getFilePages() > 0 && !machine.node(r.getNode()).hasMemory()) {
                throw invalidRss(e, kind, what + ": node " + r.getNode() + " has no memory");
            }
            if (byNode.put(r.getNode(),
                    new Scenario.RssSpec(r.getNode(), null, r.getAnonPages(), r.getFilePages())) != null) {
                throw invalidRss(e, kind, what + " is given twice");
            }
        }
        return new ArrayList<>(byNode.values());
    }

    /** The record's flags as the kernel's task flags; MEMALLOC_NOIO belongs to an allocation, not to a task. */
    private static Set<TaskFlag> flags(TaskEvent e) throws Rejected {
        Set<TaskFlag> flags = EnumSet.noneOf(TaskFlag.class);
        for (Enum<?> f : e.getFlags()) {
            try {
                flags.add(SameNamed.as(f));
            } catch (IllegalArgumentException x) {
                throw invalid(e, "flag " + f + " is a flag of an allocation request, not of a task");
            }
        }
        return flags;
    }

    private static Rejected invalid(TaskEvent e, String detail) {
        return new Rejected(DeadLetterCategory.INVALID_SPAWN, "SPAWN of pid " + e.getPid() + ": " + detail);
    }

    private static Rejected invalidRss(TaskEvent e, String kind, String detail) {
        return kind.equals("SPAWN") ? invalid(e, detail)
                : new Rejected(DeadLetterCategory.INVALID_RSS, kind + " of pid " + e.getPid() + ": " + detail);
    }
}
