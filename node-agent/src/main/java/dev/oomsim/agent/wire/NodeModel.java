package dev.oomsim.agent.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.NodeSpec;
import dev.oomsim.kernel.mm.NumaNode;
import dev.oomsim.kernel.oom.OomLock;
import dev.oomsim.kernel.oom.OomLockToken;
import dev.oomsim.kernel.oom.OomReport;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioException;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.KillToken;
import dev.oomsim.schemas.KillTokenHolder;
import dev.oomsim.schemas.MemoryCall;
import dev.oomsim.schemas.MemoryReply;
import dev.oomsim.schemas.NodeSnapshot;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskStatus;
import dev.oomsim.schemas.TaskSync;
import dev.oomsim.service.DeadLetterCategory;
import dev.oomsim.service.RejectReason;

/**
 * One node's kernel model, spoken to in the wire's types: the machine booted from the machine file with this node's
 * memory local and every other node's behind a {@link RemoteNodeMemory}; requests prepared from {@code AllocRequest}s
 * and run to {@code ProgressEvent}s; the kills their OOM calls made as {@code KillEvent}s; the task-table changes a
 * request makes as the {@code TaskSync} every other node applies; calls from other nodes served; task events applied;
 * the node's state and its snapshot. The agent's {@code KernelNode} drives it from its command log and never touches a
 * kernel type: this class is where the kernel model and the wire meet, and the only state they share (the mms other
 * nodes' calls name, and the grant under which each victim was killed) lives here.
 *
 * <p>Runs on the command-log thread, and on the request thread the agent hands a request's body to (one at a time,
 * ordered by the agent's hand-off).
 */
public final class NodeModel {

    /** What a running request's kernel code needs of the agent, called on the request's thread. */
    public interface Agent {
        /** A call on another node's zones: the request suspends until that node's reply comes back. */
        MemoryReply call(int node, MemoryCall.Builder call);

        /** A call on another node's zones that needs no reply. */
        void send(int node, MemoryCall.Builder call);

        /** How many times requests have stopped so far (an rss gather is good until the next stop). */
        long stops();

        /**
         * {@code mutex_trylock(&oom_lock)}: the request suspends until the agent has the cluster lock's outcome; the
         * grant's fencing token, or empty for "retry later".
         */
        Optional<Long> tryLock();

        /** {@code mutex_unlock(&oom_lock)} of the grant with {@code fencingToken}. */
        void unlock(long fencingToken);

        /** Whether the cluster {@code oom_lock} is held, as far as this agent can tell. */
        boolean lockHeld();

        /** The fencing token of the grant the running request holds, -1 when it holds none. */
        long heldToken();
    }

    private final int nodeId;
    private final Agent agent;
    private final ScenarioRunner runner;
    private final Machine machine;
    private final List<Integer> otherNodes;
    /** Every mm of the task table by id: other nodes' calls name mms by id. */
    private final Map<Integer, Mm> mms = new HashMap<>();
    /** The grant under which each OOM victim (task, and mm) was killed: its pages' releases carry it for fencing. */
    private final Map<Integer, Long> killTokenByPid = new HashMap<>();
    private final Map<Integer, Long> killTokenByMm = new HashMap<>();
    /**
     * What the killer reported since the request last stopped, on the request's thread; read by the command-log thread
     * after the agent's hand-off (which orders the two).
     */
    private final List<Kill> kills = new ArrayList<>();
    private final TaskTableSync taskSync;
    private final MemoryServer memoryServer;
    private final TaskEventApplier taskEvents;

    /**
     * What one node's model boots from: node {@code nodeId} of the machine file {@code machine}
     * (docs/scenario-format.md; its tasks and events are the machine's boot state).
     */
    public record Boot(int nodeId, Scenario machine) {
        /** @throws IllegalArgumentException when the machine has no node {@code nodeId} */
        public Boot {
            List<Integer> nodes = machine.nodes().stream().map(NodeSpec::id).toList();
            if (!nodes.contains(nodeId)) {
                throw new IllegalArgumentException("node.id " + nodeId + " is not a node of the machine (its nodes are "
                        + nodes + ")");
            }
        }

        /** Boots the model, its kernel code calling {@code agent} where the kernel would wait. */
        public NodeModel start(Agent agent) {
            return new NodeModel(nodeId, machine, agent);
        }
    }

    private NodeModel(int nodeId, Scenario machineSpec, Agent agent) {
        this.nodeId = nodeId;
        this.agent = agent;
        RemoteNodeMemory.Calls calls = new Calls();
        this.runner = new ScenarioRunner(machineSpec, new Lock(),
                (node, local) -> node.id() == nodeId ? local : new RemoteNodeMemory(node, calls));
        this.machine = runner.machine();
        this.otherNodes = machine.nodes().stream().map(NumaNode::id).filter(n -> n != nodeId).toList();
        runner.oomKiller().setObserver(this::killed);
        indexMms();
        this.taskSync = new TaskTableSync(machine.tasks(), machine.memory(nodeId));
        this.memoryServer = new MemoryServer(machine, nodeId, mms);
        this.taskEvents = new TaskEventApplier(nodeId, runner, mms, taskSync);
    }

    /** The machine's other nodes, in the machine file's order. */
    public List<Integer> otherNodes() {
        return otherNodes;
    }

    /**
     * A request of this node made ready to run: its event in the model, numbered {@code offset} when the request
     * carries no sequence of its own.
     *
     * @throws Rejected for a request the model cannot take (an order above {@code MAX_ORDER}, another node's request,
     *         an unknown or dead pid, an invalid gfp), with the reason
     */
    public Request prepare(AllocRequest r, long offset) throws Rejected {
        int index = r.getSequence() == null ? (int) offset : (int) (long) r.getSequence();
        Scenario.Event event = RequestMapper.toEvent(r, machine, nodeId);
        long clockMs = r.getAtMs() == null ? runner.defaultClockMs(index) : r.getAtMs();
        // A free touches only this node's zones, unless the oom_reaper runs first: it reaches every node's memory.
        return new Request(index, event, clockMs,
                event instanceof Scenario.FreeEvent && !runner.oomReaperDueAt(clockMs));
    }

    /**
     * Runs {@code request} (of {@code requestId}, by {@code pid}) to its end, on the calling thread; it calls the
     * {@link Agent} where the kernel would wait.
     *
     * @throws RuntimeException when the model refuses or fails it; {@link #deadLetterCategory} says which
     */
    public Outcome run(String requestId, int pid, Request request) {
        EventResult result = runner.runEvent(request.index, request.event, request.clockMs);
        EventResult own = result instanceof EventResult.Reaped reaped ? reaped.result() : result;
        return new Outcome(OutcomeMapper.toProgress(requestId, nodeId, pid, result), own.kind(),
                own instanceof EventResult.Alloc a ? a.path() : List.of());
    }

    /** The dead-letter category of a request that failed with {@code error} in {@link #run}. */
    public static DeadLetterCategory deadLetterCategory(RuntimeException error) {
        return error instanceof ScenarioException ? DeadLetterCategory.REJECTED_BY_KERNEL
                : DeadLetterCategory.KERNEL_ERROR;
    }

    /** The kills the running request's OOM calls made since it last stopped (cleared by this call). */
    public List<Kill> drainKills() {
        List<Kill> drained = List.copyOf(kills);
        kills.clear();
        return drained;
    }

    /**
     * The task-table entries the request changed since it last stopped, as the {@code TaskSync} every other node
     * applies, with the newest grant its victims were killed under; empty when nothing changed or there is no other
     * node.
     */
    public Optional<TaskSync> drainTaskSync(String requestId) {
        List<TaskStatus> changed = taskSync.drainChanges();
        if (changed.isEmpty() || otherNodes.isEmpty()) {
            return Optional.empty();
        }
        long token = -1;
        for (TaskStatus s : changed) {
            token = Math.max(token, killTokenByPid.getOrDefault(s.getPid(), -1L));
        }
        return Optional.of(TaskSync.newBuilder().setRequestId(requestId).setLockToken(token).setTasks(changed).build());
    }

    /**
     * Another node's request changed these tasks: this copy of the table follows, with the task events the sender had
     * not seen when it sent them ({@code stamp}) applied again on top.
     */
    public void applySync(TaskSync sync, long stamp) throws Rejected {
        taskSync.apply(sync.getTasks(), "task sync of request " + sync.getRequestId());
        taskEvents.rebase(sync.getTasks(), stamp);
    }

    /** Serves another node's call on this node's zones, at once; the reply when the call asks for one. */
    public Optional<MemoryReply> serve(MemoryCall call) throws Rejected {
        return memoryServer.serve(call);
    }

    /** Applies the {@code task-events} record at {@code offset}; {@code reject} takes its dead letter. */
    public void applyTaskEvent(TaskEvent event, long offset, Consumer<RejectReason> reject) {
        taskEvents.apply(event, offset, reject);
    }

    /**
     * The {@code task-events} offset below which this node has applied every record: the stamp of the commands it
     * sends, so their receivers apply the same records first.
     */
    public long taskEventsApplied() {
        return taskEvents.appliedEnd();
    }

    /** This node as it stands, as the {@code node-state} record {@code sequence} for request {@code requestId}. */
    public NodeState nodeState(long sequence, String requestId) {
        return NodeStateMapper.nodeState(machine, nodeId, sequence, requestId);
    }

    /**
     * The model's part of a snapshot: the kernel image (the task table and this node's memory, never another node's),
     * the tasks spawned by task events, and the grants the victims were killed under.
     */
    public void snapshotInto(NodeSnapshot.Builder snapshot) {
        List<KillToken> tokens = new ArrayList<>();
        killTokenByPid.forEach((pid, token) -> tokens.add(new KillToken(KillTokenHolder.TASK, pid, token)));
        killTokenByMm.forEach((mm, token) -> tokens.add(new KillToken(KillTokenHolder.MM, mm, token)));
        taskEvents.snapshot(snapshot);
        snapshot.setKillTokens(tokens)
                .setKernelFormat(KernelImageCodec.FORMAT)
                .setKernel(ByteBuffer.wrap(KernelImageCodec.encode(runner.captureImage(n -> n == nodeId))));
    }

    /** A fresh model restored from {@code snapshot}'s part of {@link #snapshotInto}. */
    public void restore(NodeSnapshot snapshot) {
        taskEvents.respawn(snapshot);
        runner.restoreImage(KernelImageCodec.decode(snapshot.getKernelFormat(), snapshot.getKernel()));
        taskEvents.restore(snapshot);
        taskSync.allHeard();
        for (KillToken t : snapshot.getKillTokens()) {
            (t.getHolder() == KillTokenHolder.TASK ? killTokenByPid : killTokenByMm).put(t.getId(), t.getToken());
        }
        indexMms();
    }

    /** On the request's thread: the killer reported an OOM call; remember the grant it ran under and its victims. */
    private void killed(OomReport report) {
        long token = agent.heldToken();
        if (report.victim() == null) {
            return;
        }
        kills.add(new Kill(report, token));
        if (token >= 0) {
            killTokenByPid.put(report.victim().pid(), token);
            Task victim = machine.tasks().get(report.victim().pid());
            if (victim.mm() != null) {
                killTokenByMm.put(victim.mm().id(), token);
            }
            for (int pid : report.outcome().signalled()) {
                killTokenByPid.put(pid, token);
            }
            for (int pid : report.outcome().killed()) {
                // memory.oom.group members die under the same grant as the victim (their mms too).
                killTokenByPid.put(pid, token);
                Task member = machine.tasks().get(pid);
                if (member != null && member.mm() != null) {
                    killTokenByMm.put(member.mm().id(), token);
                }
            }
        }
    }

    private void indexMms() {
        for (Task t : machine.tasks().all()) {
            if (t.mm() != null) {
                mms.putIfAbsent(t.mm().id(), t.mm());
            }
        }
    }

    /** A request made ready to run by {@link #prepare}. */
    public static final class Request {
        private final int index;
        private final Scenario.Event event;
        /** The logical time it runs at: the request's own, else the model's default for its index. */
        private final long clockMs;
        private final boolean neverWaits;

        private Request(int index, Scenario.Event event, long clockMs, boolean neverWaits) {
            this.index = index;
            this.event = event;
            this.clockMs = clockMs;
            this.neverWaits = neverWaits;
        }

        /**
         * Whether it can never wait: a free of this node's block touches only this node's zones (when no oom_reaper
         * is due first), so the agent may run it on its own thread.
         */
        public boolean neverWaits() {
            return neverWaits;
        }
    }

    /**
     * How a request ended: its {@code progress} record, the outcome's kind and, for an allocation, the path it took
     * (fast path, slow path, reclaim, may_oom, nopage).
     */
    public record Outcome(ProgressEvent progress, String kind, List<String> path) {
    }

    /** A task an OOM call killed, under the grant with {@code lockToken} (-1 for none). */
    public final class Kill {
        private final OomReport report;
        private final long lockToken;

        private Kill(OomReport report, long lockToken) {
            this.report = report;
            this.lockToken = lockToken;
        }

        /** The victim's pid: the kill event's key. */
        public int victimPid() {
            return report.victim().pid();
        }

        /** The OOM's constraint, as the kill meter counts it. */
        public String constraint() {
            return String.valueOf(report.outcome().constraint());
        }

        /** The kill as its {@code kills} record, with the top candidates, for request {@code requestId}. */
        public KillEvent event(String requestId) {
            return KillEvents.of(requestId, nodeId, report, machine, lockToken);
        }
    }

    /** Other nodes' memory, reached from the running request through the agent. */
    private final class Calls implements RemoteNodeMemory.Calls {
        @Override
        public MemoryReply call(int node, MemoryCall.Builder call) {
            return agent.call(node, call);
        }

        @Override
        public void send(int node, MemoryCall.Builder call) {
            agent.send(node, call);
        }

        @Override
        public long killTokenOfTask(int pid) {
            return killTokenByPid.getOrDefault(pid, -1L);
        }

        @Override
        public long killTokenOfMm(int mm) {
            return killTokenByMm.getOrDefault(mm, -1L);
        }

        @Override
        public long stops() {
            return agent.stops();
        }
    }

    /** The kernel's {@code oom_lock} as the model sees it: the agent's journaled cluster lock. */
    private final class Lock implements OomLock {
        @Override
        public Optional<OomLockToken> tryLock() {
            return agent.tryLock().map(OomLockToken::new);
        }

        @Override
        public void unlock(OomLockToken token) {
            agent.unlock(token.fencingToken());
        }

        @Override
        public boolean isHeld() {
            return agent.lockHeld();
        }
    }
}
