package dev.oomsim.kernel.task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The task list in creation order (the kernel's iteration order, which decides ties) and the cpusets. Mutable; owned
 * by the single thread that runs the model (the runner; later the agent's event loop).
 */
public final class TaskTable {
    private final java.util.Set<Task> changed = new java.util.LinkedHashSet<>();
    private final List<Task> tasks = new ArrayList<>();
    private final Map<Integer, Task> byPid = new LinkedHashMap<>();
    private final Map<String, Cpuset> cpusets = new LinkedHashMap<>();
    private final Map<Integer, List<Task>> byTgid = new LinkedHashMap<>();

    /** A table whose root cpuset holds {@code allNodes}. */
    public TaskTable(dev.oomsim.kernel.mm.NodeMask allNodes) {
        cpusets.put(Cpuset.ROOT, new Cpuset(Cpuset.ROOT, allNodes, true, null));
    }

    /** Adds a cpuset; its parent must exist. */
    public void addCpuset(Cpuset cs) {
        if (cpusets.containsKey(cs.name())) {
            throw new IllegalArgumentException("cpuset " + cs.name() + " defined twice");
        }
        if (cs.parent() == null || !cpusets.containsKey(cs.parent())) {
            throw new IllegalArgumentException("cpuset " + cs.name() + ": parent " + cs.parent() + " does not exist");
        }
        cpusets.put(cs.name(), cs);
    }

    /** Cpuset by name, or null. */
    public Cpuset cpuset(String name) {
        return cpusets.get(name);
    }

    /** Mirrors {@code nr_cpusets() > 1}: whether the cpuset checks apply at all. */
    public boolean cpusetsEnabled() {
        return cpusets.size() > 1;
    }

    /** Mirrors {@code nearest_hardwall_ancestor}: the task's own cpuset included; the root is hardwall. */
    public Cpuset nearestHardwallAncestor(Cpuset cs) {
        Cpuset c = cs;
        while (!c.hardwall() && c.parent() != null) {
            c = cpusets.get(c.parent());
        }
        return c;
    }

    /** Adds a task at the end of the list and links it under its parent. */
    public void add(Task t) {
        if (byPid.containsKey(t.pid())) {
            throw new IllegalArgumentException("pid " + t.pid() + " defined twice");
        }
        tasks.add(t);
        byPid.put(t.pid(), t);
        t.onChange(() -> changed.add(t));
        List<Task> group = byTgid.computeIfAbsent(t.tgid(), k -> new ArrayList<>());
        group.add(t);
        t.joinThreadGroup(group);
        Task parent = byPid.get(t.parentPid());
        if (parent != null) {
            parent.children().add(t.pid());
        }
    }

    /**
     * The tasks whose mutable state (liveness, kill, signals, flags, oom_score_adj, mm, interleave position) changed
     * since the last call, in the order they first changed; clears the record. Lets a copy of the task table elsewhere
     * (a node agent's) follow without comparing every task.
     */
    public List<Task> drainChanged() {
        List<Task> out = List.copyOf(changed);
        changed.clear();
        return out;
    }

    /** The pids {@link #drainChanged} would return now, without clearing the record (an image of it). */
    public List<Integer> changedPids() {
        List<Integer> out = new ArrayList<>();
        for (Task t : changed) {
            out.add(t.pid());
        }
        return out;
    }

    /** Replaces the change record with {@code pids}, in that order (restoring an image); throws on an unknown pid. */
    public void restoreChanged(List<Integer> pids) {
        List<Task> record = new ArrayList<>();
        for (int pid : pids) {
            Task t = byPid.get(pid);
            if (t == null) {
                throw new IllegalArgumentException("changed tasks: no task with pid " + pid);
            }
            record.add(t);
        }
        changed.clear();
        changed.addAll(record);
    }

    /** Task by pid, or null. */
    public Task get(int pid) {
        return byPid.get(pid);
    }

    /** Live tasks in creation order ({@code for_each_process_thread}). */
    public List<Task> live() {
        List<Task> out = new ArrayList<>();
        for (Task t : tasks) {
            if (t.alive()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Every task ever added, in creation order. */
    public List<Task> all() {
        return tasks;
    }

    /**
     * Every thread ever added to {@code t}'s thread group, dead ones included, creation order: the group itself, not
     * a copy (read only). Callers walking it as {@code for_each_thread} skip the dead. A task of the table carries its
     * group; any other task (the reader {@code oom_score} builds) is looked up by tgid.
     */
    public List<Task> threadGroup(Task t) {
        List<Task> group = t.threadGroup();
        return group != null ? group : byTgid.getOrDefault(t.tgid(), List.of());
    }

    /** Live threads of {@code t}'s thread group ({@code for_each_thread}), creation order. */
    public List<Task> threads(Task t) {
        List<Task> out = new ArrayList<>();
        for (Task x : threadGroup(t)) {
            if (x.alive()) {
                out.add(x);
            }
        }
        return out;
    }

    /** Mirrors {@code find_lock_task_mm}: a live thread of the group that still has an mm, or null. */
    public Task findTaskMm(Task t) {
        for (Task x : threadGroup(t)) {
            if (x.alive() && x.mm() != null) {
                return x;
            }
        }
        return null;
    }

    /** Live tasks using {@code mm}. */
    public List<Task> users(Mm mm) {
        List<Task> out = new ArrayList<>();
        for (Task x : tasks) {
            if (x.alive() && x.mm() == mm) {
                out.add(x);
            }
        }
        return out;
    }
}
