package dev.oomsim.agent;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.oomsim.agent.runtime.CommandHandler;
import dev.oomsim.agent.runtime.CommandOutput;
import dev.oomsim.agent.runtime.RequestScheduler;
import dev.oomsim.agent.wire.KillEvents;
import dev.oomsim.agent.wire.MemoryServer;
import dev.oomsim.agent.wire.NodeStateMapper;
import dev.oomsim.agent.wire.OutcomeMapper;
import dev.oomsim.agent.wire.Rejected;
import dev.oomsim.agent.wire.RemoteNodeMemory;
import dev.oomsim.agent.wire.RequestMapper;
import dev.oomsim.agent.wire.TaskTableSync;
import dev.oomsim.kernel.Machine;
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
import dev.oomsim.lock.FencingCheck;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.KillToken;
import dev.oomsim.schemas.KillTokenHolder;
import dev.oomsim.schemas.LockAcquired;
import dev.oomsim.schemas.LockResult;
import dev.oomsim.schemas.MemoryCall;
import dev.oomsim.schemas.MemoryOp;
import dev.oomsim.schemas.MemoryReply;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeSnapshot;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskStatus;
import dev.oomsim.schemas.TaskSync;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.service.DeadLetterCategory;
import dev.oomsim.service.RejectReason;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One NUMA node driven by its command log (docs/node-agent-design.md): the kernel model booted from the machine file,
 * with this node's memory local and every other node's memory behind a {@link RemoteNodeMemory}. Requests run as
 * coroutines; a request suspends for the cluster {@code oom_lock} (journaled as a {@code LockResult}) and for calls on
 * other nodes' zones (answered by their agents with a {@code MemoryReply} in this node's log). Calls from other nodes
 * are served at once and never suspend, so agents cannot wait on each other in a cycle. Outcomes go to
 * {@code progress}, kills to {@code kills}, snapshots to {@code node-state}; the task-table changes a request makes go
 * to every other node ({@code TaskSync}) in order with its memory calls, so every agent's copy of the cluster-wide task
 * table stays the same. Bad input (order above 10, another node's request, unknown or dead pid, invalid gfp, a free of
 * a block the task does not hold, a stale fencing token) goes to dead-letter with the reason. Owned by the
 * command-log thread; request bodies run on their own threads, one at a time, handed off by the scheduler (a free,
 * which touches only this node's zones and never waits, runs on the command-log thread itself).
 */
public final class KernelNode implements CommandHandler {

    private final int nodeId;
    private final Topics topics;
    /**
     * {@code topics.progress()}, built once: the spec is a new record (configs copied) on every call, one per request.
     */
    private final TopicSpec<Integer, ProgressEvent> progressTopic;
    private final ScenarioRunner runner;
    private final Machine machine;
    private final ClusterLock clusterLock;
    private final JournaledOomLock oomLock;
    private final RequestScheduler<Await, Object, EventResult> scheduler;
    /** Requests started and not ended, by id. */
    private final Map<String, Running> requests = new HashMap<>();
    /** The request running on the current (request) thread. */
    private final ThreadLocal<Running> current = new ThreadLocal<>();
    /**
     * What the killer reported since the request last stopped, on the request's thread; read by the loop thread after
     * the scheduler's hand-off (which orders the two).
     */
    private final List<Reported> oomReports = new ArrayList<>();
    private final TaskTableSync taskSync;
    private final Map<Integer, Mm> mms = new HashMap<>();
    /** The grant under which each OOM victim (task, and mm) was killed: its pages' releases carry it for fencing. */
    private final Map<Integer, Long> killTokenByPid = new HashMap<>();
    private final Map<Integer, Long> killTokenByMm = new HashMap<>();
    /** The newest {@code oom_lock} acquisition this node has seen: kill applications below it are refused. */
    private final FencingCheck fencing = new FencingCheck();
    private final AgentMeters meters;
    /** The only time source: monotonic nanos for durations. */
    private final Clock clock;
    private final MemoryServer memoryServer;
    /** Lock outcomes this node journaled, per request, in log order: a replayed attempt takes its own (see preview). */
    private final LockJournal journal = new LockJournal();
    /** Command ids of grants used at once and not yet read back from the log, in log order. */
    private final ArrayDeque<String> grantsInLog = new ArrayDeque<>();
    private final TaskEventApplier taskEvents;
    /** The command-log offset of the command being handled. */
    private long handling;
    /** Counts request stops (ends, and waits other than an rss gather): a gather is good until the next one. */
    private long stops;

    public KernelNode(int nodeId, Scenario machineSpec, Topics topics, ClusterLock clusterLock) {
        this(nodeId, machineSpec, topics, clusterLock, new SimpleMeterRegistry());
    }

    /** A node whose time is {@code registry}'s clock, the one its timers already read. */
    public KernelNode(int nodeId, Scenario machineSpec, Topics topics, ClusterLock clusterLock,
            MeterRegistry registry) {
        this(nodeId, machineSpec, topics, clusterLock, registry, registry.config().clock());
    }

    /**
     * A node that reads time only from {@code clock}'s monotonic nanos (a request's time in the agent, its wait for
     * the cluster lock). Micrometer's clock, not {@code java.time.Clock}: the durations want a monotonic source, which
     * {@code java.time.Clock} is not, the same clock drives the registry's timers, and tests step a {@code MockClock}.
     */
    public KernelNode(int nodeId, Scenario machineSpec, Topics topics, ClusterLock clusterLock, MeterRegistry registry,
            Clock clock) {
        this.nodeId = nodeId;
        this.clock = clock;
        this.meters = new AgentMeters(registry, nodeId);
        this.topics = topics;
        this.progressTopic = topics.progress();
        this.clusterLock = clusterLock;
        this.oomLock = new JournaledOomLock();
        RemoteCalls calls = new RemoteCalls();
        this.runner = new ScenarioRunner(machineSpec, oomLock,
                (node, local) -> node.id() == nodeId ? local : new RemoteNodeMemory(node, calls));
        this.scheduler = new RequestScheduler<>("node-" + nodeId + "-request");
        this.machine = runner.machine();
        if (machine.nodes().stream().noneMatch(n -> n.id() == nodeId)) {
            throw new IllegalArgumentException("node.id " + nodeId + " is not a node of the machine (its nodes are "
                    + machine.nodes().stream().map(n -> String.valueOf(n.id())).toList() + ")");
        }
        runner.oomKiller().setObserver(this::killed);
        indexMms();
        this.taskSync = new TaskTableSync(machine.tasks(), machine.memory(nodeId));
        this.memoryServer = new MemoryServer(machine, nodeId, mms);
        this.taskEvents = new TaskEventApplier(nodeId, runner, mms, taskSync);
    }

    @Override
    public void applyTaskEvent(TaskEvent event, long offset, CommandOutput out) {
        taskEvents.apply(event, offset, out);
    }

    @Override
    public void handle(NodeCommand command, long offset, CommandOutput out) {
        handling = offset;
        oomLock.replaying = out.replaying();
        Object body = command.getBody();
        if (body instanceof LockResult result) {
            resumeWithLockResult(command, result, out);
        } else if (body instanceof MemoryReply reply) {
            resumeWithReply(reply, out);
        } else if (body instanceof MemoryCall call) {
            serve(call, out);
        } else if (body instanceof TaskSync sync) {
            applySync(sync, command.getTaskEventsOffset(), out);
        } else if (body instanceof LockAcquired acquired) {
            fencing.observeAcquisition(acquired.getToken());
        } else if (body instanceof AllocRequest request) {
            start(request, offset, out);
        } else {
            out.reject(new RejectReason(DeadLetterCategory.UNKNOWN_COMMAND, "command " + command.getCommandId()
                    + " has a body of no kind node " + nodeId + " handles: "
                    + (body == null ? "null" : body.getClass().getSimpleName())));
        }
    }

    private void start(AllocRequest r, long offset, CommandOutput out) {
        int index = r.getSequence() == null ? (int) offset : (int) (long) r.getSequence();
        if (r.getOp() == AllocOp.SNAPSHOT) {
            out.send(topics.nodeState(), nodeId, state(offset + 1, r.getRequestId()));
            return;
        }
        Scenario.Event event;
        try {
            event = RequestMapper.toEvent(r, machine, nodeId);
        } catch (Rejected e) {
            out.reject(e.reason());
            return;
        }
        if (requests.containsKey(r.getRequestId())) {
            out.reject(new RejectReason(DeadLetterCategory.DUPLICATE_REQUEST, "request " + r.getRequestId()
                    + " is already in progress"));
            return;
        }
        Running run = new Running(r.getRequestId(), r.getPid(), clock.monotonicTime());
        requests.put(run.id, run);
        if (!out.replaying()) {
            meters.request(r.getOp().name());
        }
        run.out = out;
        long clockMs = r.getAtMs() == null ? runner.defaultClockMs(index) : r.getAtMs();
        if (event instanceof Scenario.FreeEvent && !runner.oomReaperDueAt(clockMs)) {
            // A free of this node's block touches only this node's zones: it never waits, so no thread hand-off (unless
            // the oom_reaper runs first: it reaches every node's memory).
            settle(scheduler.runInline(run.id, suspension -> runner.runEvent(index, event, clockMs)), out);
            return;
        }
        settle(scheduler.start(run.id, suspension -> {
            run.suspension = suspension;
            current.set(run);
            return runner.runEvent(index, event, clockMs);
        }), out);
    }

    /**
     * A lock outcome read back from this node's log. A grant was used when it was journaled (the request went on at
     * once): reading it back only checks it. A refusal resumes the request now, one transaction after its attempt: the
     * kernel's "retry later" ({@code schedule_timeout_uninterruptible(1)}) becomes a round trip through the log.
     */
    private void resumeWithLockResult(NodeCommand command, LockResult result, CommandOutput out) {
        if (result.getGranted()) {
            String used = grantsInLog.peek();
            if (used == null || !used.equals(command.getCommandId())) {
                out.reject(new RejectReason(DeadLetterCategory.ORPHAN_LOCK_RESULT, "lock grant "
                        + command.getCommandId()
                        + " was not used by a request of node " + nodeId));
                return;
            }
            grantsInLog.poll();
            return;
        }
        Running run = requests.get(result.getRequestId());
        if (run == null || !(run.awaiting instanceof LockCall)) {
            out.reject(new RejectReason(DeadLetterCategory.ORPHAN_LOCK_RESULT, "no request " + result.getRequestId()
                    + " waits for a lock result"));
            return;
        }
        journal.take(result.getRequestId(), command.getCommandId());
        if (!out.replaying() && run.lockAskedNanos != Running.NEVER) {
            meters.lockWait(false, Duration.ofNanos(clock.monotonicTime() - run.lockAskedNanos));
        }
        resume(run, Optional.<OomLockToken>empty(), out);
    }

    /**
     * {@code mutex_trylock(&oom_lock)} for a suspended request: the grant it gets now, or null when it waits for a
     * refusal to come back through the log. Live, the cluster lock is tried and the outcome journaled; in a replay the
     * outcome is the one journaled for this attempt (found by {@link #preview}), and nothing is tried.
     */
    private LockResult lockAttempt(Running run, CommandOutput out) {
        int attempt = run.lockAttempts++;
        String commandId = run.id + "/lock/" + attempt;
        if (out.replaying()) {
            JournaledLock journaled = journal.peek(run.id);
            if (journaled == null || !journaled.commandId().equals(commandId)) {
                throw new IllegalStateException("replaying request " + run.id + ": its oom_lock attempt " + attempt
                        + " has no lock result in node " + nodeId + "'s command log");
            }
            if (!journaled.result().getGranted()) {
                return null;
            }
            journal.take(run.id, commandId);
            grantsInLog.add(commandId);
            return journaled.result();
        }
        long asked = clock.monotonicTime();
        LockResult result = tryClusterLock(run.id, commandId, out);
        if (result.getGranted()) {
            meters.lockWait(true, Duration.ofNanos(clock.monotonicTime() - asked));
            grantsInLog.add(commandId);
            return result;
        }
        run.lockAskedNanos = asked;
        return null;
    }

    /** The request holds {@code oom_lock} under {@code grant} and runs on until it stops again. */
    private RequestScheduler.Step<Await, EventResult> grantTo(Running run, LockResult grant, CommandOutput out) {
        oomLock.grantedToken = grant.getToken();
        oomLock.holder = run.id;
        fencing.observeAcquisition(grant.getToken());
        run.awaiting = null;
        run.out = out;
        return scheduler.resume(run.id, Optional.of(new OomLockToken(grant.getToken())));
    }

    /** Before a replay: this node's journaled lock outcomes, so the replayed attempts find theirs. */
    @Override
    public void preview(NodeCommand command, long offset) {
        if (command.getBody() instanceof LockResult result && command.getOrigin() == nodeId
                && !grantsInLog.contains(command.getCommandId())) {
            journal.add(result.getRequestId(), new JournaledLock(command.getCommandId(), result));
        }
    }

    /**
     * The node as a snapshot to restart from, when no request is in flight: the kernel model's image (the task table
     * and this node's memory, never another node's) and what the agent keeps beside it.
     */
    @Override
    public Optional<NodeSnapshot.Builder> snapshot() {
        if (!requests.isEmpty()) {
            return Optional.empty();
        }
        List<KillToken> tokens = new ArrayList<>();
        killTokenByPid.forEach((pid, token) -> tokens.add(new KillToken(KillTokenHolder.TASK, pid, token)));
        killTokenByMm.forEach((mm, token) -> tokens.add(new KillToken(KillTokenHolder.MM, mm, token)));
        NodeSnapshot.Builder snapshot = NodeSnapshot.newBuilder();
        taskEvents.snapshot(snapshot);
        return Optional.of(snapshot
                .setRequestStops(stops)
                .setFencingFloor(fencing.highestSeen())
                .setKillTokens(tokens)
                .setGrantsInLog(new ArrayList<>(grantsInLog))
                .setKernelFormat(KernelImageCodec.FORMAT)
                .setKernel(ByteBuffer.wrap(KernelImageCodec.encode(runner.captureImage(n -> n == nodeId)))));
    }

    /** Every mm of the task table by id, for the memory server's calls that name an mm. */
    private void indexMms() {
        for (Task t : machine.tasks().all()) {
            if (t.mm() != null) {
                mms.putIfAbsent(t.mm().id(), t.mm());
            }
        }
    }

    @Override
    public void restore(NodeSnapshot snapshot) {
        if (snapshot.getNode() != nodeId) {
            throw new IllegalArgumentException("a snapshot of node " + snapshot.getNode() + " given to node " + nodeId);
        }
        if (!requests.isEmpty() || stops != 0) {
            throw new IllegalStateException("node " + nodeId
                    + " has handled commands; a snapshot restores a fresh node only");
        }
        taskEvents.respawn(snapshot);
        runner.restoreImage(KernelImageCodec.decode(snapshot.getKernelFormat(), snapshot.getKernel()));
        taskEvents.restore(snapshot);
        taskSync.allHeard();
        stops = snapshot.getRequestStops();
        if (snapshot.getFencingFloor() >= 0) {
            fencing.observeAcquisition(snapshot.getFencingFloor());
        }
        for (KillToken t : snapshot.getKillTokens()) {
            (t.getHolder() == KillTokenHolder.TASK ? killTokenByPid : killTokenByMm).put(t.getId(), t.getToken());
        }
        grantsInLog.addAll(snapshot.getGrantsInLog().stream().map(CharSequence::toString).toList());
        indexMms();
    }

    /** Another node answered a call: the request that made it continues. */
    private void resumeWithReply(MemoryReply reply, CommandOutput out) {
        Running run = requests.get(reply.getRequestId());
        if (run == null || !(run.awaiting instanceof ReplyCall waiting) || waiting.callId() != reply.getCallId()) {
            out.reject(new RejectReason(DeadLetterCategory.ORPHAN_REPLY, "no request " + reply.getRequestId()
                    + " waits for the reply to call "
                    + reply.getCallId()));
            return;
        }
        resume(run, reply, out);
    }

    private void resume(Running run, Object answer, CommandOutput out) {
        run.awaiting = null;
        run.out = out;
        settle(scheduler.resume(run.id, answer), out);
    }

    /**
     * Where the request stopped. Kills it made are published and its task-table changes sent to every other node
     * first; then, when it ended, its outcome is reported; when it waits for {@code oom_lock}, the live agent tries the
     * cluster lock and journals the outcome into its own command log (a replay finds it there and tries nothing).
     */
    private void settle(RequestScheduler.Step<Await, EventResult> step, CommandOutput out) {
        String requestId = step.requestId();
        Running run = requests.get(requestId);
        while (true) {
            publishKills(run, out);
            syncTasks(requestId, out);
            if (!(step instanceof RequestScheduler.Suspended<Await, EventResult> suspended)) {
                break;
            }
            run.awaiting = suspended.call();
            if (suspended.call() instanceof LockCall) {
                stops++;
                LockResult grant = lockAttempt(run, out);
                if (grant != null) {
                    // Granted: the request goes on at once; the grant is journaled in this same transaction.
                    step = grantTo(run, grant, out);
                    continue;
                }
            } else if (((ReplyCall) suspended.call()).op() != MemoryOp.RSS_GATHER) {
                stops++;
            }
            return;
        }
        stops++;
        requests.remove(requestId);
        if (requestId.equals(oomLock.holder)) {
            // It ended holding oom_lock (its kernel code threw between trylock and unlock): released with it.
            oomLock.release(oomLock.grantedToken, out);
        }
        if (step instanceof RequestScheduler.Completed<Await, EventResult> done) {
            Duration inAgent = Duration.ofNanos(clock.monotonicTime() - run.startNanos);
            ProgressEvent progress = OutcomeMapper.toProgress(requestId, nodeId, run.pid, done.outcome());
            progress.setStallMs(inAgent.toMillis());
            out.send(progressTopic, nodeId, progress);
            if (run.killed && !out.replaying()) {
                // Its kills freed pages here too (the victims' exits): the node reports its state with them.
                out.send(topics.nodeState(), nodeId, state(handling + 1, requestId + "/freed/" + nodeId));
            }
            if (!out.replaying()) {
                EventResult outcome = done.outcome();
                EventResult own = outcome instanceof EventResult.Reaped reaped ? reaped.result() : outcome;
                meters.outcome(own.kind(), own instanceof EventResult.Alloc a ? a.path() : List.of(), inAgent);
            }
        } else if (step instanceof RequestScheduler.Failed<Await, EventResult> failed) {
            RuntimeException e = failed.error();
            out.reject(new RejectReason(e instanceof ScenarioException ? DeadLetterCategory.REJECTED_BY_KERNEL
                    : DeadLetterCategory.KERNEL_ERROR,
                    "request " + requestId + ": " + e.getMessage()));
        }
    }

    /**
     * {@code mutex_trylock(&oom_lock)} on the cluster lock, journaled as {@code commandId} in this node's log; a grant
     * is announced to every node's fencing floor.
     */
    private LockResult tryClusterLock(String requestId, String commandId, CommandOutput out) {
        Long unlockedHere = oomLock.releasePending;
        oomLock.releasePending = null;
        Optional<Long> token;
        boolean taken = false;
        if (oomLock.holder != null) {
            // Another request of this node holds oom_lock (suspended in a call to another node): a mutex, so no.
            oomLock.releasePending = unlockedHere;
            token = Optional.empty();
        } else if (unlockedHere != null && clusterLock.holds(unlockedHere)) {
            // Unlocked in this transaction, not yet released, lease still running: the grant never left this node.
            token = Optional.of(unlockedHere);
        } else {
            if (unlockedHere != null) {
                clusterLock.unlock(unlockedHere);
            }
            token = clusterLock.tryLock();
            taken = token.isPresent();
        }
        LockResult result = LockResult.newBuilder().setRequestId(requestId).setGranted(token.isPresent())
                .setToken(token.orElse(-1L)).build();
        out.toNode(nodeId, command(commandId, result));
        if (taken) {
            for (NumaNode n : machine.nodes()) {
                if (n.id() != nodeId) {
                    out.toNode(n.id(), command(requestId + "/acquired",
                            LockAcquired.newBuilder().setNode(nodeId).setToken(token.get()).build()));
                }
            }
        }
        return result;
    }

    private NodeCommand command(String commandId, Object body) {
        // Stamped with the task events applied here, so the receiver applies them before it acts on the command.
        return NodeCommand.newBuilder().setCommandId(commandId).setOrigin(nodeId)
                .setTaskEventsOffset(taskEvents.appliedEnd())
                .setBody(body).build();
    }

    /** On the request's thread: the killer reported an OOM call; remember the grant it ran under and its victims. */
    private void killed(OomReport report) {
        long token = oomLock.grantedToken;
        oomReports.add(new Reported(report, token));
        if (report.victim() != null && token >= 0) {
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

    /** A {@code KillEvent} on {@code kills} for every task the request's OOM calls killed since it last stopped. */
    private void publishKills(Running run, CommandOutput out) {
        for (Reported r : oomReports) {
            if (r.report().victim() == null) {
                continue;
            }
            run.killed = true;
            if (!out.replaying()) {
                meters.kill(String.valueOf(r.report().outcome().constraint()));
                out.send(topics.kills(), r.report().victim().pid(),
                        KillEvents.of(run.id, nodeId, r.report(), machine, r.lockToken()));
            }
        }
        oomReports.clear();
    }

    /** Sends the task-table entries the request changed since it last stopped to every other node. */
    private void syncTasks(String requestId, CommandOutput out) {
        List<TaskStatus> changed = taskSync.drainChanges();
        if (changed.isEmpty() || machine.nodes().size() == 1) {
            return;
        }
        long token = -1;
        for (TaskStatus s : changed) {
            token = Math.max(token, killTokenByPid.getOrDefault(s.getPid(), -1L));
        }
        TaskSync sync = TaskSync.newBuilder().setRequestId(requestId).setLockToken(token).setTasks(changed).build();
        for (NumaNode n : machine.nodes()) {
            if (n.id() != nodeId) {
                out.toNode(n.id(), command(requestId + "/sync/" + stops, sync));
            }
        }
    }

    /**
     * Another node's request changed these tasks: this copy of the table follows (unless a fenced holder sent it), with
     * the task events the sender had not seen when it sent them ({@code stamp}) applied again on top.
     */
    private void applySync(TaskSync sync, long stamp, CommandOutput out) {
        if (stale(sync.getLockToken(), "task changes of request " + sync.getRequestId(), out)) {
            return;
        }
        try {
            taskSync.apply(sync.getTasks(), "task sync of request " + sync.getRequestId());
            taskEvents.rebase(sync.getTasks(), stamp);
        } catch (Rejected e) {
            out.reject(e.reason());
        }
    }

    /** Whether {@code token} (a kill's grant; -1 for none) is older than an acquisition seen: then refused. */
    private boolean stale(long token, String what, CommandOutput out) {
        if (token < 0) {
            return false;
        }
        FencingCheck.Verdict v = fencing.accept(token);
        if (v instanceof FencingCheck.Verdict.Rejected rejected) {
            out.reject(new RejectReason(DeadLetterCategory.STALE_FENCING_TOKEN, FencingCheck.STALE_FENCING_TOKEN + " "
                    + token + ": node "
                    + nodeId + " has seen oom_lock acquired with token " + rejected.highestSeen() + "; " + what
                    + " not applied"));
            return true;
        }
        return false;
    }

    /** Serves another node's call on this node's zones: at once, without suspending; answers when the call asks. */
    private void serve(MemoryCall c, CommandOutput out) {
        if (!out.replaying()) {
            meters.memoryCall("served", c.getOp());
        }
        if ((c.getOp() == MemoryOp.RELEASE_MM || c.getOp() == MemoryOp.RELEASE_KERNEL_PAGES)
                && stale(c.getLockToken(), c.getOp() == MemoryOp.RELEASE_MM ? "release of mm " + c.getMm() + "'s pages"
                        : "release of pid " + c.getPid() + "'s pages", out)) {
            return;
        }
        try {
            memoryServer.serve(c).ifPresent(reply -> out.toNode(c.getReplyTo(),
                    command(c.getRequestId() + "/" + c.getCallId() + "/reply", reply)));
        } catch (Rejected e) {
            out.reject(e.reason());
            return;
        }
        if (c.getOp() == MemoryOp.RELEASE_MM && c.getLockToken() >= 0 && !out.replaying()) {
            // An OOM victim's pages came back here: the node reports its state with them.
            out.send(topics.nodeState(), nodeId, state(handling + 1, c.getRequestId() + "/freed/" + nodeId));
        }
    }

    /** This node as it stands, as the {@code node-state} record {@code sequence} for request {@code requestId}. */
    private NodeState state(long sequence, String requestId) {
        return NodeStateMapper.nodeState(machine, nodeId, sequence, requestId);
    }

    /** A lock outcome journaled in this node's log as command {@code commandId}. */
    record JournaledLock(String commandId, LockResult result) {
    }

    /** An OOM call's report with the fencing token of the grant held while it ran (-1 for none). */
    private record Reported(OomReport report, long lockToken) {
    }

    /** What a suspended request waits for. */
    sealed interface Await permits LockCall, ReplyCall {
    }

    /** The outcome of a trylock of the cluster {@code oom_lock}. */
    record LockCall() implements Await {
    }

    /** The reply to call {@code callId} ({@code op}) on node {@code node}. */
    record ReplyCall(int node, long callId, MemoryOp op) implements Await {
    }

    /** A request between its start and its end. */
    private static final class Running {
        static final long NEVER = Long.MIN_VALUE;
        final String id;
        final int pid;
        RequestScheduler.Suspension<Await, Object> suspension;
        /** The output of the command being handled while the request runs. */
        CommandOutput out;
        Await awaiting;
        long nextCallId;
        final long startNanos;
        /** When the live agent last tried the cluster lock for it and was refused ({@link #NEVER}: never). */
        long lockAskedNanos = NEVER;
        /** The request's {@code oom_lock} attempts so far: each is journaled as {@code <id>/lock/<attempt>}. */
        int lockAttempts;
        /** Whether its OOM calls killed a task. */
        boolean killed;

        Running(String id, int pid, long startNanos) {
            this.id = id;
            this.pid = pid;
            this.startNanos = startNanos;
        }
    }

    /** Other nodes' memory, reached from the running request (on its thread). */
    private final class RemoteCalls implements RemoteNodeMemory.Calls {
        private Running running() {
            Running run = current.get();
            if (run == null) {
                throw new IllegalStateException("another node's memory used outside a request");
            }
            return run;
        }

        private MemoryCall append(Running run, int node, MemoryCall.Builder call) {
            long id = run.nextCallId++;
            MemoryCall c = call.setRequestId(run.id).setCallId(id).setReplyTo(nodeId).build();
            run.out.toNode(node, command(run.id + "/" + id, c));
            if (!run.out.replaying()) {
                meters.memoryCall("sent", c.getOp());
            }
            return c;
        }

        @Override
        public MemoryReply call(int node, MemoryCall.Builder call) {
            Running run = running();
            MemoryCall c = append(run, node, call);
            return (MemoryReply) run.suspension.await(new ReplyCall(node, c.getCallId(), c.getOp()));
        }

        @Override
        public void send(int node, MemoryCall.Builder call) {
            append(running(), node, call);
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
            return stops;
        }
    }

    /**
     * The kernel's {@code oom_lock} inside the agent: {@code tryLock} suspends the calling request until its journaled
     * outcome comes back through the command log; {@code unlock} releases the cluster grant once the transaction with
     * everything decided under it has committed (never while replaying), so no other node can acquire, and fence,
     * before this node's kill reaches it. A trylock before that commit takes the same grant again.
     */
    private final class JournaledOomLock implements OomLock {
        volatile boolean replaying;
        /** The fencing token of the grant the running request holds, -1 when it holds none (a memcg OOM). */
        volatile long grantedToken = -1;
        /**
         * The request of this node holding the grant, else null (the lock is a mutex among this node's requests too).
         */
        volatile String holder;
        /** A grant unlocked by the kernel whose cluster release waits for the transaction's commit, else null. */
        volatile Long releasePending;

        @Override
        @SuppressWarnings("unchecked")
        public Optional<OomLockToken> tryLock() {
            Running run = current.get();
            if (run == null) {
                throw new IllegalStateException("oom_lock taken outside a request");
            }
            return (Optional<OomLockToken>) run.suspension.await(new LockCall());
        }

        @Override
        public void unlock(OomLockToken token) {
            release(token.fencingToken(), current.get().out);
        }

        /** {@code mutex_unlock(&oom_lock)}: the cluster release waits for the commit of {@code out}'s transaction. */
        void release(long fencingToken, CommandOutput out) {
            grantedToken = -1;
            holder = null;
            if (!replaying) {
                releasePending = fencingToken;
                out.afterCommit(() -> {
                    Long pending = releasePending;
                    if (pending != null && pending == fencingToken) {
                        releasePending = null;
                        clusterLock.unlock(fencingToken);
                    }
                });
            }
        }

        @Override
        public boolean isHeld() {
            return clusterLock.isHeld();
        }
    }
}
