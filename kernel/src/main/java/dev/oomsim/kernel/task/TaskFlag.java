package dev.oomsim.kernel.task;

/** Task state bits the model knows (docs/kernel-model.md §3), with their scenario spelling. */
public enum TaskFlag {
    /** PF_KTHREAD. */
    KTHREAD("kthread"),
    /** The task has no mm. */
    NO_MM("no_mm"),
    /** is_global_init. */
    GLOBAL_INIT("global_init"),
    /** PF_EXITING. */
    EXITING("exiting"),
    /** SIGNAL_GROUP_COREDUMP. */
    COREDUMP_GROUP("coredump_group"),
    /** PF_DUMPCORE. */
    DUMPCORE("dumpcore"),
    /** PF_MEMALLOC. */
    MEMALLOC("memalloc"),
    /** TIF_MEMDIE. */
    MEMDIE("memdie"),
    /** fatal_signal_pending. */
    FATAL_SIGNAL("fatal_signal"),
    /** oom_task_origin. */
    OOM_ORIGIN("oom_origin"),
    /** in_vfork (modern badness skips it). */
    VFORK("vfork");

    private final String scenarioName;

    TaskFlag(String scenarioName) {
        this.scenarioName = scenarioName;
    }

    /** The scenario spelling. */
    public String scenarioName() {
        return scenarioName;
    }

    /** Parses a scenario flag name. */
    public static TaskFlag parse(String name) {
        for (TaskFlag f : values()) {
            if (f.scenarioName.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown task flag " + name);
    }
}
