package dev.oomsim.agent.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioException;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.schemas.AppliedTaskEvent;
import dev.oomsim.schemas.NodeSnapshot;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskEventKind;
import dev.oomsim.schemas.TaskStatus;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.service.DeadLetterCategory;
import dev.oomsim.service.RejectReason;

/**
 * Applies {@code task-events} records to this agent's copy of the machine (docs/node-agent-design.md, "Task events"):
 * every agent applies every record, at the same point of its own fold (the stamp of the command it precedes).
 * <ul>
 * <li>SPAWN: the task joins the table as a machine-file task does at boot; of its per-node rss this agent loads only
 * its own node's entry.
 * <li>ADJ_CHANGE: the {@code set} event: every live thread of the group gets the new {@code oom_score_adj}.
 * <li>EXIT: the {@code exit} event, each agent releasing the group's pages on its own node.
 * <li>RSS: the reporting node's resident pages of the task's mm; the agent of that node loads the growth as boot loads
 * pages; other agents take it as information.
 * </ul>
 * Bad records go to dead-letter exactly once cluster-wide: node 0 reports what every agent finds alike, the node
 * concerned reports what only its agent can find (its node's pages). Task-table changes made here are not sent to other
 * nodes (they make them too); a {@code TaskSync} sent before the sender had seen a record here is applied and then the
 * record's change again on top ({@link #rebase}), as the sender will. Owned by the command-log thread.
 */
final class TaskEventApplier {
    /** How SPAWN records are kept in a snapshot: as written on {@code task-events} (the prefix does not matter). */
    private static final TopicSpec<Integer, TaskEvent> TASK_EVENTS = Topics.defaults(1).taskEvents();
    private final int nodeId;
    private final ScenarioRunner runner;
    private final Machine machine;
    private final NodeMemory local;
    private final Map<Integer, Mm> mms;
    private final TaskTableSync taskSync;
    /** Per pid, the ADJ_CHANGE and EXIT records that named its thread group, in offset order (for {@link #rebase}). */
    private final Map<Integer, List<Applied>> applied = new HashMap<>();
    /** The SPAWN records whose task joined the table, in order: a snapshot's restore spawns them again. */
    private final List<TaskEvent> spawned = new ArrayList<>();
    private long appliedEnd;

    /**
     * Applies records to node {@code nodeId} of {@code runner}'s machine; new mms join {@code mms} (the mms other
     * nodes' calls name by id); task-table changes are recorded as heard by all in {@code taskSync}.
     */
    TaskEventApplier(int nodeId, ScenarioRunner runner, Map<Integer, Mm> mms, TaskTableSync taskSync) {
        this.nodeId = nodeId;
        this.runner = runner;
        this.machine = runner.machine();
        this.local = machine.memory(nodeId);
        this.mms = mms;
        this.taskSync = taskSync;
    }

    /**
     * The {@code task-events} offset below which this agent has applied every record (0 before the first): the stamp of
     * the commands it sends, so their receivers apply the same records first.
     */
    long appliedEnd() {
        return appliedEnd;
    }

    /** Applies the record at {@code offset}; {@code out} takes its dead letter. */
    void apply(TaskEvent e, long offset, Consumer<RejectReason> out) {
        appliedEnd = offset + 1;
        String what = e.getKind() + " of pid " + e.getPid() + " (task-events offset " + offset + ")";
        try {
            if (e.getKind() == TaskEventKind.SPAWN) {
                spawn(e, what, out);
            } else if (e.getKind() == TaskEventKind.ADJ_CHANGE) {
                adjust(e, offset);
            } else if (e.getKind() == TaskEventKind.EXIT) {
                exit(e, offset);
            } else {
                rss(e, what, out);
            }
        } catch (Rejected r) {
            // Every agent finds this alike; node 0 reports it for all.
            if (nodeId == 0) {
                out.accept(r.reason());
            }
        }
    }

    private void spawn(TaskEvent e, String what, Consumer<RejectReason> out) throws Rejected {
        Scenario.TaskSpec spec = TaskEventMapper.spawn(e, runner);
        try {
            runner.spawn(spec, what);
        } catch (ScenarioException x) {
            if (machine.tasks().get(spec.pid()) == null) {
                throw new Rejected(DeadLetterCategory.INVALID_SPAWN, x.getMessage());
            }
            // Only loading this node's pages can fail once the record passed the checks: the task joined without them.
            out.accept(new RejectReason(DeadLetterCategory.RSS_UNAVAILABLE, "node " + nodeId
                    + " cannot load the pages of pid " + spec.pid()
                    + " (" + what + "): " + cause(x)));
        }
        spawned.add(e);
        Task t = machine.tasks().get(spec.pid());
        if (t.mm() != null) {
            mms.putIfAbsent(t.mm().id(), t.mm());
        }
        taskSync.heardByAll(t);
    }

    /** What a node snapshot keeps of the applier: the spawns, the applied end, the history {@link #rebase} reads. */
    void snapshot(NodeSnapshot.Builder snapshot) {
        List<ByteBuffer> spawns = new ArrayList<>(spawned.size());
        for (TaskEvent e : spawned) {
            spawns.add(ByteBuffer.wrap(TASK_EVENTS.valueSerde().serializer().serialize(TASK_EVENTS.name(), e)));
        }
        List<AppliedTaskEvent> history = new ArrayList<>();
        applied.forEach((pid, list) -> list.forEach(a -> history.add(new AppliedTaskEvent(pid, a.offset(),
                a.kind() == TaskEventKind.EXIT, a.adj()))));
        snapshot.setSpawnedTasks(spawns).setTaskEventsApplied(appliedEnd).setTaskEventHistory(history);
    }

    /**
     * First half of a restore, before the kernel image: the snapshot's spawned tasks join the freshly booted table
     * again, in order and without pages (the image holds every page and counter), so the image finds the table it was
     * taken of.
     */
    void respawn(NodeSnapshot snapshot) {
        for (ByteBuffer b : snapshot.getSpawnedTasks()) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            TaskEvent e = TASK_EVENTS.valueSerde().deserializer().deserialize(TASK_EVENTS.name(), bytes);
            TaskEvent withoutPages = TaskEvent.newBuilder(e).setRss(List.of()).build();
            try {
                runner.spawn(TaskEventMapper.spawn(withoutPages, runner), "snapshot spawn of pid " + e.getPid());
            } catch (Rejected | ScenarioException x) {
                throw new IllegalStateException("a snapshot's spawn of pid " + e.getPid() + " does not apply again: "
                        + x.getMessage(), x);
            }
            spawned.add(e);
        }
    }

    /** Second half of a restore, after the kernel image: the applied end and the history. */
    void restore(NodeSnapshot snapshot) {
        appliedEnd = snapshot.getTaskEventsApplied();
        for (AppliedTaskEvent a : snapshot.getTaskEventHistory()) {
            applied.computeIfAbsent(a.getPid(), k -> new ArrayList<>()).add(new Applied(a.getOffset(),
                    a.getExit() ? TaskEventKind.EXIT : TaskEventKind.ADJ_CHANGE, a.getAdj()));
        }
    }

    private void adjust(TaskEvent e, long offset) throws Rejected {
        Task t = known(e);
        int adj = OomScoreAdj.check(e.getOomScoreAdj(), DeadLetterCategory.INVALID_ADJ, "");
        remember(t, new Applied(offset, TaskEventKind.ADJ_CHANGE, adj));
        requireAlive(t);
        for (Task thread : machine.tasks().threads(t)) {
            thread.setOomScoreAdj(adj);
            taskSync.heardByAll(thread);
        }
    }

    private void exit(TaskEvent e, long offset) throws Rejected {
        Task t = known(e);
        remember(t, new Applied(offset, TaskEventKind.EXIT, 0));
        requireAlive(t);
        List<Task> threads = machine.tasks().threads(t);
        machine.exitTaskOn(nodeId, t);
        threads.forEach(taskSync::heardByAll);
    }

    private void rss(TaskEvent e, String what, Consumer<RejectReason> out) throws Rejected {
        Task t = known(e);
        List<Scenario.RssSpec> reported = TaskEventMapper.rss(e, machine, "RSS");
        if (t.mm() == null && t.alive()) {
            throw new Rejected(DeadLetterCategory.INVALID_RSS, what + ": pid " + e.getPid() + " has no mm");
        }
        requireAlive(t);
        for (Scenario.RssSpec r : reported) {
            if (r.node() != nodeId) {
                continue;
            }
            Mm mm = t.mm();
            long anon = local.anonPages(mm);
            long file = local.filePages(mm);
            if (r.anonPages() < anon || r.filePages() < file) {
                out.accept(new RejectReason(DeadLetterCategory.RSS_SHRINK, what + ": node " + nodeId + " holds anon "
                        + anon + ", file " + file
                        + " pages of mm " + mm.id() + ", more than the report's anon " + r.anonPages() + ", file "
                        + r.filePages() + "; pages go back by FREE and EXIT, which name them"));
                return;
            }
            try {
                runner.loadPages(mm, new Scenario.RssSpec(nodeId, null, r.anonPages() - anon, r.filePages() - file),
                        what);
            } catch (ScenarioException x) {
                out.accept(new RejectReason(DeadLetterCategory.RSS_UNAVAILABLE, "node " + nodeId
                        + " cannot load the pages of pid "
                        + e.getPid() + " (" + what + "): " + cause(x)));
            }
        }
    }

    private Task known(TaskEvent e) throws Rejected {
        Task t = machine.tasks().get(e.getPid());
        if (t == null) {
            throw new Rejected(DeadLetterCategory.UNKNOWN_PID, "unknown pid " + e.getPid());
        }
        return t;
    }

    private static void requireAlive(Task t) throws Rejected {
        if (!t.alive()) {
            throw new Rejected(DeadLetterCategory.DEAD_PID, "pid " + t.pid() + " has exited");
        }
    }

    private static String cause(ScenarioException x) {
        return x.getCause() != null ? x.getCause().getMessage() : x.getMessage();
    }

    /**
     * Records the change for every thread of {@code t}'s group, live or not: a status sent before may revive its view.
     */
    private void remember(Task t, Applied a) {
        for (Task thread : machine.tasks().threadGroup(t)) {
            applied.computeIfAbsent(thread.pid(), k -> new ArrayList<>()).add(a);
        }
    }

    /**
     * After {@code statuses} from a {@code TaskSync} stamped {@code stamp} were applied: the ADJ_CHANGE and EXIT
     * records at offsets from {@code stamp} on, which this agent applied and the sender had not yet, take effect again
     * on top, in order, as they will on the sender. So a sync crossing a task event changes no copy of the table
     * differently.
     */
    void rebase(List<TaskStatus> statuses, long stamp) {
        for (TaskStatus s : statuses) {
            List<Applied> later = applied.get(s.getPid());
            if (later == null || later.get(later.size() - 1).offset() < stamp) {
                continue;
            }
            Task t = machine.tasks().get(s.getPid());
            boolean alive = s.getAlive();
            for (Applied a : later) {
                if (a.offset() < stamp || !alive) {
                    continue;
                }
                if (a.kind() == TaskEventKind.ADJ_CHANGE) {
                    t.setOomScoreAdj(a.adj());
                } else {
                    // This agent applied the exit already (its pages here are released); the status undid its flags.
                    alive = false;
                    t.setDead();
                    t.set(TaskFlag.MEMDIE, false);
                }
            }
            taskSync.heardByAll(t);
        }
    }

    /** A task event that changed (or would have changed) a thread's status: its offset and kind; adj for ADJ_CHANGE. */
    private record Applied(long offset, TaskEventKind kind, int adj) {
    }
}
