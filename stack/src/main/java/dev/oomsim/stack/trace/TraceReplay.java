package dev.oomsim.stack.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

import dev.oomsim.kernel.mm.Zone;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.EventType;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskEventKind;
import dev.oomsim.schemas.TaskFlag;
import dev.oomsim.stack.load.LoadRecord;

/**
 * A kernel trace as the records {@link dev.oomsim.stack.load.LoadProducer} sends to a running stack, read lazily
 * line by line:
 * <ul>
 * <li>each distinct (pid, comm) of the trace becomes a task, spawned ({@code task-events} SPAWN) before its first
 * request: the trace pid when it is free, else a pid from {@link #EXTRA_PID_BASE} up (pid 0, a pid seen before
 * under another comm, e.g. after an exec, or one of the stack's own tasks, {@link #avoidPids}). pid 0 ({@code <idle>})
 * and comms of kernel threads ({@code ksoftirqd/1}, {@code kworker/0:1}, anything with a {@code /}, and {@code
 * kswapd*}, {@code kcompactd*}, {@code khugepaged}) become kernel threads: no mm, never OOM victims;
 * <li>each {@code mm_page_alloc} an ALLOC of its order and gfp (mapped by name to the profile, {@link TraceGfp}) on
 * the node of its CPU ({@link CpuNodeMap});
 * <li>each {@code mm_page_free} a FREE of the block the <em>model</em> handed out for the allocation of that trace
 * pfn: the trace's pfn is the recorded machine's, so the replay remembers which request allocated each trace pfn and
 * asks {@link ReplayOutcomes} for the model's block (waiting for it when the agent has not answered yet). The free
 * names the allocating task and the model block's node, whichever task and CPU freed the page in the trace.
 * </ul>
 * Frees that cannot be replayed are counted with their line numbers, never dropped unseen: of a page allocated
 * before the trace began, of an allocation the model did not grant, or with another order than the allocation.
 * Lines are timed from the trace's first event ({@link LoadRecord#atNanos()}). Requests are named
 * {@code replay-<seed>-<line>}: the same trace and seed give the same records. Owned by the producing thread.
 */
public final class TraceReplay implements Iterator<LoadRecord> {

    /** Pids the trace cannot lend a task start here: {@code PID_MAX_LIMIT}, above any real pid. */
    public static final int EXTRA_PID_BASE = 4_194_304;

    /** How many lines of each kind of skipped free are listed (all are counted). */
    public static final int MAX_LISTED = 100;

    static {
        // Avro 1.12 builds our records only once the schemas module has trusted its classes (EventType does it).
        EventType.TASK_EVENT.recordClass();
    }

    /** A trace pid's allocation whose model block a free will need. */
    private record Live(String requestId, int pid, int order, long line) {
    }

    /** The lines of one kind of event not replayed: how many, and the first {@link #MAX_LISTED} line numbers. */
    public static final class Skipped {
        private long count;
        private final List<Long> lines = new ArrayList<>();

        void add(long line) {
            count++;
            if (lines.size() < MAX_LISTED) {
                lines.add(line);
            }
        }

        public long count() {
            return count;
        }

        public List<Long> lines() {
            return List.copyOf(lines);
        }

        Map<String, Object> tree() {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("count", count);
            t.put("lines", lines());
            return t;
        }
    }

    private final BufferedReader reader;
    private final TraceGfp gfp;
    private final CpuNodeMap cpuNodes;
    private final long seed;
    private final ReplayOutcomes outcomes;
    private final int window;
    private final TraceSummary summary;
    private final ArrayDeque<LoadRecord> pending = new ArrayDeque<>();
    private final Map<String, Integer> taskPids = new HashMap<>();
    private final Map<Integer, String> pidOwners = new HashMap<>();
    private final Map<Long, Live> live = new HashMap<>();
    private int nextExtraPid = EXTRA_PID_BASE;
    private long lineNumber;
    private long firstTimestamp = -1;
    private boolean done;
    private boolean stopped;
    private long tasks;
    private long kernelThreads;
    private long allocations;
    private long frees;
    private long failedInTrace;
    private final Skipped freesOfUnseenPages = new Skipped();
    private final Skipped freesNotGranted = new Skipped();
    private final Skipped freesOfOtherOrder = new Skipped();
    private final Skipped onCpusWithoutNode = new Skipped();
    private final Skipped ordersAboveMax = new Skipped();
    private final Skipped reallocatedWithoutFree = new Skipped();

    /**
     * A replay of {@code reader}'s lines with at most {@code window} requests unanswered at a time: the next request
     * waits for answers to the earlier ones (an agent with thousands of requests in flight, each suspended on calls
     * to another node, answers none of them for a long time).
     */
    public TraceReplay(BufferedReader reader, TraceGfp gfp, CpuNodeMap cpuNodes, long seed, ReplayOutcomes outcomes,
            int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        this.window = window;
        this.reader = reader;
        this.gfp = gfp;
        this.cpuNodes = cpuNodes;
        this.seed = seed;
        this.outcomes = outcomes;
        this.summary = new TraceSummary(gfp, cpuNodes);
    }

    /**
     * Keeps {@code pids} (the stack's tasks, which pids are never reused for) from the trace's tasks: a trace pid
     * among them gets a pid from {@link #EXTRA_PID_BASE} up. Call before the first record.
     */
    public TraceReplay avoidPids(Collection<Integer> pids) {
        for (int pid : pids) {
            pidOwners.putIfAbsent(pid, "the stack's task");
        }
        return this;
    }

    @Override
    public boolean hasNext() {
        while (pending.isEmpty() && !done) {
            String line;
            try {
                line = reader.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the trace after line " + lineNumber, e);
            }
            if (line == null) {
                done = true;
                break;
            }
            TraceLineParser.Result r = TraceLineParser.parse(line, ++lineNumber);
            summary.add(r);
            if (r instanceof TraceLineParser.Event e) {
                add(e.event());
            }
        }
        return !pending.isEmpty();
    }

    @Override
    public LoadRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return pending.poll();
    }

    private void add(TraceEvent event) {
        if (firstTimestamp < 0) {
            firstTimestamp = event.timestampNanos();
        }
        long at = Math.max(0, event.timestampNanos() - firstTimestamp);
        if (event instanceof TraceEvent.PageAlloc a) {
            alloc(a, at);
        } else {
            free((TraceEvent.PageFree) event, at);
        }
    }

    private void alloc(TraceEvent.PageAlloc a, long at) {
        int node = cpuNodes.nodeOf(a.cpu());
        if (node < 0) {
            onCpusWithoutNode.add(a.line());
            return;
        }
        if (a.order() >= Zone.MAX_ORDER) {
            ordersAboveMax.add(a.line());
            return;
        }
        if (!belowWindow()) {
            return;
        }
        int pid = task(a, at);
        String id = "replay-" + seed + "-" + a.line();
        if (a.failed()) {
            failedInTrace++;
        } else {
            Live before = live.put(a.pfn(), new Live(id, pid, a.order(), a.line()));
            if (before != null) {
                reallocatedWithoutFree.add(a.line());
            }
            outcomes.expect(id);
        }
        long mask = Integer.toUnsignedLong(gfp.map(a.gfpText()).flags().raw(gfp.profile()));
        allocations++;
        pending.add(new LoadRecord.Request(at, node, AllocRequest.newBuilder().setRequestId(id).setSequence(a.line())
                .setOp(AllocOp.ALLOC).setPid(pid).setGfpMask(mask).setOrder(a.order()).setPreferredNode(node)
                .build()));
    }

    private void free(TraceEvent.PageFree f, long at) {
        Live allocated = live.get(f.pfn());
        if (allocated == null) {
            freesOfUnseenPages.add(f.line());
            return;
        }
        if (allocated.order() != f.order()) {
            freesOfOtherOrder.add(f.line());
            return;
        }
        live.remove(f.pfn());
        Optional<ReplayOutcomes.AllocOutcome> answer = outcomes.await(allocated.requestId());
        if (answer.isEmpty()) {
            stopped = true;
            done = true;
            return;
        }
        if (!(answer.get() instanceof ReplayOutcomes.Granted g)) {
            freesNotGranted.add(f.line());
            return;
        }
        if (!belowWindow()) {
            return;
        }
        frees++;
        pending.add(new LoadRecord.Request(at, g.node(), AllocRequest.newBuilder()
                .setRequestId("replay-" + seed + "-" + f.line()).setSequence(f.line()).setOp(AllocOp.FREE)
                .setPid(allocated.pid()).setGfpMask(0).setOrder(g.order()).setPreferredNode(g.node()).setPfn(g.pfn())
                .build()));
    }

    /** Waits until one more request keeps at most {@code window} unanswered; false (and done) when stopped. */
    private boolean belowWindow() {
        long made = allocations + frees;
        if (made >= window && !outcomes.awaitAnswered(made - window + 1)) {
            stopped = true;
            done = true;
            return false;
        }
        return true;
    }

    /** The model pid of the event's (pid, comm), spawning the task first when it is new. */
    private int task(TraceEvent e, long at) {
        String key = e.pid() + "/" + e.comm();
        Integer known = taskPids.get(key);
        if (known != null) {
            return known;
        }
        int pid = e.pid() > 0 && !pidOwners.containsKey(e.pid()) ? e.pid() : nextExtraPid();
        pidOwners.put(pid, key);
        taskPids.put(key, pid);
        tasks++;
        boolean kthread = isKernelThread(e.pid(), e.comm());
        TaskEvent.Builder spawn = TaskEvent.newBuilder().setPid(pid).setKind(TaskEventKind.SPAWN).setComm(e.comm())
                .setUid(0).setTgid(pid);
        if (kthread) {
            kernelThreads++;
            spawn.setFlags(List.of(TaskFlag.KTHREAD)).setMmId(null);
        } else {
            spawn.setMmId(pid);
        }
        pending.add(new LoadRecord.Task(at, spawn.build()));
        return pid;
    }

    private int nextExtraPid() {
        while (pidOwners.containsKey(nextExtraPid)) {
            nextExtraPid++;
        }
        return nextExtraPid++;
    }

    /** Whether a trace's (pid, comm) is a kernel thread: the idle task, or a kthread's name. */
    static boolean isKernelThread(int pid, String comm) {
        return pid == 0 || comm.indexOf('/') >= 0 || comm.startsWith("kswapd") || comm.startsWith("kcompactd")
                || comm.equals("khugepaged");
    }

    /** Whether the replay ended because the outcomes were stopped (Ctrl-C) while a free waited. */
    public boolean stopped() {
        return stopped;
    }

    /** The parse counts of every line read so far (the {@code --dry-run} summary). */
    public TraceSummary summary() {
        return summary;
    }

    /** Tasks spawned (kernel threads included). */
    public long tasks() {
        return tasks;
    }

    /** ALLOC requests made. */
    public long allocations() {
        return allocations;
    }

    /** FREE requests made. */
    public long frees() {
        return frees;
    }

    /** The trace's failed allocations (pfn -1): replayed as requests, never freed. */
    public long failedInTrace() {
        return failedInTrace;
    }

    /** Frees of a pfn no allocation of the trace had handed out (allocated before the trace began). */
    public Skipped freesOfUnseenPages() {
        return freesOfUnseenPages;
    }

    /** Frees of a page whose allocation the model answered with NULL or a dead letter: nothing to free. */
    public Skipped freesNotGranted() {
        return freesNotGranted;
    }

    /** Frees whose order is not the allocation's (the model frees whole blocks only). */
    public Skipped freesOfOtherOrder() {
        return freesOfOtherOrder;
    }

    /** Events on a CPU the {@code --cpu-node} map does not name. */
    public Skipped onCpusWithoutNode() {
        return onCpusWithoutNode;
    }

    /** Allocations of an order the model has no free list for (at least {@code MAX_ORDER}). */
    public Skipped ordersAboveMax() {
        return ordersAboveMax;
    }

    /** Allocations of a pfn the trace had handed out and not freed since (the earlier one is never freed). */
    public Skipped reallocatedWithoutFree() {
        return reallocatedWithoutFree;
    }

    /** What the replay did, as a JSON-ready tree (the parse summary under {@code "trace"}). */
    public Map<String, Object> tree() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("tasks", tasks);
        t.put("kernelThreads", kernelThreads);
        t.put("allocations", allocations);
        t.put("failedInTrace", failedInTrace);
        t.put("frees", frees);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("freesOfPagesAllocatedBeforeTheTrace", freesOfUnseenPages.tree());
        s.put("freesOfAllocationsTheModelDidNotGrant", freesNotGranted.tree());
        s.put("freesOfAnotherOrder", freesOfOtherOrder.tree());
        s.put("eventsOnCpusWithoutNode", onCpusWithoutNode.tree());
        s.put("allocationsAboveMaxOrder", ordersAboveMax.tree());
        s.put("allocationsOfAPfnNotFreed", reallocatedWithoutFree.tree());
        t.put("notReplayed", s);
        t.put("trace", summary.tree());
        return t;
    }
}
