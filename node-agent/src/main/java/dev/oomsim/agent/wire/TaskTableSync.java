package dev.oomsim.agent.wire;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.kernel.task.TaskTable;
import dev.oomsim.schemas.TaskStatus;
import dev.oomsim.service.DeadLetterCategory;

/**
 * Keeps this agent's copy of the cluster-wide task table equal to every other agent's: the entries this node's
 * requests changed are drained as {@link TaskStatus}es to send (found through {@link TaskTable#drainChanged()}, not by
 * comparing every task), and the statuses other nodes sent are applied. Remembers each task's status as every node
 * last heard it, so an applied change is not sent back. Runs on the command-log thread (after request hand-offs).
 */
public final class TaskTableSync {
    private final TaskTable tasks;
    private final NodeMemory local;
    private final Map<Integer, TaskStatus> synced = new HashMap<>();

    /**
     * Starts from the booted table, which every agent builds alike from the machine file; {@code local} is this agent's
     * own node's memory.
     */
    public TaskTableSync(TaskTable tasks, NodeMemory local) {
        this.tasks = tasks;
        this.local = local;
        allHeard();
        tasks.drainChanged();
    }

    /**
     * After a snapshot's restore: every task as it stands is what every node has heard, because a snapshot is taken
     * with no request in flight, when every change has been sent (or was made by all).
     */
    public void allHeard() {
        synced.clear();
        for (Task t : tasks.all()) {
            synced.put(t.pid(), status(t));
        }
    }

    /** The statuses this node changed since the last call, each as it stands now; empty when nothing changed. */
    public List<TaskStatus> drainChanges() {
        List<TaskStatus> changed = new ArrayList<>();
        for (Task t : tasks.drainChanged()) {
            TaskStatus s = status(t);
            if (!s.equals(synced.put(t.pid(), s))) {
                changed.add(s);
            }
        }
        return changed;
    }

    /**
     * Every node makes this task's change itself (a {@code task-events} record every agent applies): nothing to send,
     * and what every node has heard is the task as it now stands.
     */
    public void heardByAll(Task t) {
        synced.put(t.pid(), status(t));
        tasks.drainChanged();
    }

    /** Applies statuses another node sent; refuses them all, changing nothing, when one names an unknown pid. */
    public void apply(List<TaskStatus> statuses, String what) throws Rejected {
        for (TaskStatus s : statuses) {
            if (tasks.get(s.getPid()) == null) {
                throw new Rejected(DeadLetterCategory.UNKNOWN_PID, what + " names unknown pid " + s.getPid());
            }
        }
        for (TaskStatus s : statuses) {
            apply(tasks.get(s.getPid()), s);
            synced.put(s.getPid(), s);
        }
        tasks.drainChanged();
    }

    private void apply(Task t, TaskStatus s) {
        List<TaskFlag> held = SameNamed.allAs(s.getFlags());
        for (TaskFlag f : TaskFlag.values()) {
            t.set(f, held.contains(f));
        }
        if (s.getSigkillPending() && !t.sigkillPending()) {
            t.sendSigkill();
        }
        if (s.getKilled()) {
            t.setKilled();
        }
        if (!s.getAlive()) {
            t.setDead();
        }
        t.setOomScoreAdj(s.getOomScoreAdj());
        t.setInterleaveNext(s.getInterleaveNext());
        t.setOomReapAtMs(s.getOomReapAtMs());
        Mm mm = t.mm();
        if (mm != null) {
            mm.setOomSkip(s.getMmOomSkip());
            if (!s.getHasMm()) {
                // exit_mm: the sender released the mm's pages on this node (RELEASE_MM) before it sent this change;
                // pages a task event loaded here since are released with the mm too.
                t.clearMm();
                if (tasks.users(mm).isEmpty()) {
                    local.releaseMm(mm);
                    mm.release();
                }
            }
        }
    }

    /** A task's status as the other nodes need it. */
    public static TaskStatus status(Task t) {
        List<TaskFlag> flags = new ArrayList<>();
        for (TaskFlag f : TaskFlag.values()) {
            if (t.has(f)) {
                flags.add(f);
            }
        }
        return TaskStatus.newBuilder().setPid(t.pid()).setAlive(t.alive()).setKilled(t.killed())
                .setSigkillPending(t.sigkillPending()).setFlags(SameNamed.allAs(flags)).setOomScoreAdj(t.oomScoreAdj())
                .setInterleaveNext(t.interleaveNext()).setHasMm(t.mm() != null)
                .setMmOomSkip(t.mm() != null && t.mm().oomSkip()).setOomReapAtMs(t.oomReapAtMs()).build();
    }
}
