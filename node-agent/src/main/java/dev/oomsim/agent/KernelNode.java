package dev.oomsim.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.oomsim.agent.runtime.CommandHandler;
import dev.oomsim.agent.runtime.CommandOutput;
import dev.oomsim.agent.runtime.RequestScheduler;
import dev.oomsim.agent.wire.NodeModel;
import dev.oomsim.agent.wire.Rejected;
import dev.oomsim.lock.FencingCheck;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.LockAcquired;
import dev.oomsim.schemas.LockLost;
import dev.oomsim.schemas.LockResult;
import dev.oomsim.schemas.LockWake;
import dev.oomsim.schemas.MemoryCall;
import dev.oomsim.schemas.MemoryOp;
import dev.oomsim.schemas.MemoryReply;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeSnapshot;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskSync;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.service.DeadLetterCategory;
import dev.oomsim.service.RejectReason;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One NUMA node driven by its command log (docs/node-agent-design.md): the dispatch of each command onto the node's
 * kernel model ({@link NodeModel}, where the kernel's types and the wire's meet, with every other node's memory behind
 * a {@code RemoteNodeMemory}), the requests in flight, and the node's snapshots. Requests run as coroutines; a request
 * suspends for the cluster {@code oom_lock} ({@link JournaledOomLock}, its outcomes journaled as {@code LockResult}s)
 * and for calls on other nodes' zones (answered by their agents with a {@code MemoryReply} in this node's log). Calls
 * from other nodes are served at once and never suspend, so agents cannot wait on each other in a cycle. Outcomes go
 * to {@code progress}, kills to {@code kills}, snapshots to {@code node-state}; the task-table changes a request makes
 * go to every other node ({@code TaskSync}) in order with its memory calls, so every agent's copy of the cluster-wide
 * task table stays the same. Bad input (order above 10, another node's request, unknown or dead pid, invalid gfp, a
 * free of a block the task does not hold, a stale fencing token, a command body of no known kind) goes to dead-letter
 * with the reason. Owned by the command-log thread; request bodies run on their own threads, one at a time, handed off
 * by the scheduler (a free, which touches only this node's zones and never waits, runs on the command-log thread
 * itself).
 */
public final class KernelNode implements CommandHandler {

    private final int nodeId;
    private final Topics topics;
    /**
     * {@code topics.progress()}, built once: the spec is a new record (configs copied) on every call, one per request.
     */
    private final TopicSpec<Integer, ProgressEvent> progressTopic;
    /** The kernel model of this node, in wire types. */
    private final NodeModel model;
    /** {@code oom_lock}: the cluster lock, its journal in this node's log, the pending release, the fencing floor. */
    private final JournaledOomLock oomLock;
    private final RequestScheduler<Await, Object, NodeModel.Outcome> scheduler;
    /** Wakes whose retry the lock's hints say is due, from the hints' thread; appended by {@link #idle}. */
    private final Queue<DueWake> dueWakes = new ConcurrentLinkedQueue<>();
    /** Requests started and not ended, by id. */
    private final Map<String, Running> requests = new HashMap<>();
    /** The request running on the current (request) thread. */
    private final ThreadLocal<Running> current = new ThreadLocal<>();
    private final AgentMeters meters;
    /** The only time source: monotonic nanos for durations. */
    private final Clock clock;
    /** The command-log offset of the command being handled. */
    private long handling;
    /** Counts request stops (ends, and waits other than an rss gather): a gather is good until the next one. */
    private long stops;

    /** Node {@code boot.nodeId()} of {@code boot.machine()}, its meters in a registry of its own. */
    public KernelNode(NodeModel.Boot boot, Topics topics, ClusterLock clusterLock) {
        this(boot, topics, clusterLock, new SimpleMeterRegistry());
    }

    /** A node whose time is {@code registry}'s clock, the one its timers already read. */
    public KernelNode(NodeModel.Boot boot, Topics topics, ClusterLock clusterLock, MeterRegistry registry) {
        this(boot, topics, clusterLock, registry, registry.config().clock());
    }

    /**
     * A node that reads time only from {@code clock}'s monotonic nanos (a request's time in the agent, its wait for
     * the cluster lock). Micrometer's clock, not {@code java.time.Clock}: the durations want a monotonic source, which
     * {@code java.time.Clock} is not, the same clock drives the registry's timers, and tests step a {@code MockClock}.
     */
    public KernelNode(NodeModel.Boot boot, Topics topics, ClusterLock clusterLock, MeterRegistry registry,
            Clock clock) {
        this.nodeId = boot.nodeId();
        this.clock = clock;
        this.meters = new AgentMeters(registry, nodeId);
        this.topics = topics;
        this.progressTopic = topics.progress();
        this.model = boot.start(new ModelAgent());
        this.oomLock = new JournaledOomLock(nodeId, clusterLock, model.otherNodes(), this::command);
        this.scheduler = new RequestScheduler<>("node-" + nodeId + "-request");
    }

    @Override
    public void applyTaskEvent(TaskEvent event, long offset, CommandOutput out) {
        model.applyTaskEvent(event, offset, out::reject);
    }

    @Override
    public void handle(NodeCommand command, long offset, CommandOutput out) {
        handling = offset;
        Object body = command.getBody();
        if (body instanceof LockResult result) {
            resumeWithLockResult(command, result, out);
        } else if (body instanceof MemoryReply reply) {
            resumeWithReply(reply, out);
        } else if (body instanceof MemoryCall call) {
            serve(call, out);
        } else if (body instanceof TaskSync sync) {
            applySync(sync, command.getTaskEventsOffset(), out);
        } else if (body instanceof LockWake wake) {
            resumeOnWake(wake, out);
        } else if (body instanceof LockLost lost) {
            resumeAfterLostGrant(lost, out);
        } else if (body instanceof LockAcquired acquired) {
            oomLock.observeAcquisition(acquired.getToken());
        } else if (body instanceof AllocRequest request) {
            start(request, offset, out);
        } else {
            out.reject(new RejectReason(DeadLetterCategory.UNKNOWN_COMMAND, "command " + command.getCommandId()
                    + " has a body of no kind node " + nodeId + " handles: "
                    + (body == null ? "null" : body.getClass().getSimpleName())));
        }
    }

    private void start(AllocRequest r, long offset, CommandOutput out) {
        if (r.getOp() == AllocOp.SNAPSHOT) {
            out.send(topics.nodeState(), nodeId, state(offset + 1, r.getRequestId()));
            return;
        }
        NodeModel.Request request;
        try {
            request = model.prepare(r, offset);
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
        if (request.neverWaits()) {
            // A free of this node's block touches only this node's zones: it never waits, so no thread hand-off.
            settle(scheduler.runInline(run.id, suspension -> model.run(run.id, run.pid, request)), out);
            return;
        }
        settle(scheduler.start(run.id, suspension -> {
            run.suspension = suspension;
            current.set(run);
            return model.run(run.id, run.pid, request);
        }), out);
    }

    /**
     * A lock outcome read back from this node's log. A grant was used when it was journaled (the request went on at
     * once): reading it back only checks it. A refusal resumes the request now, one transaction after its attempt: the
     * kernel's "retry later" ({@code schedule_timeout_uninterruptible(1)}) becomes a round trip through the log.
     */
    private void resumeWithLockResult(NodeCommand command, LockResult result, CommandOutput out) {
        if (result.getGranted()) {
            if (!oomLock.grantReadBack(command.getCommandId())) {
                out.reject(new RejectReason(DeadLetterCategory.ORPHAN_LOCK_RESULT, "lock grant "
                        + command.getCommandId() + " was not used by a request of node " + nodeId));
            }
            return;
        }
        Running run = requests.get(result.getRequestId());
        if (run == null || !(run.awaiting instanceof LockCall)) {
            out.reject(new RejectReason(DeadLetterCategory.ORPHAN_LOCK_RESULT, "no request " + result.getRequestId()
                    + " waits for a lock result"));
            return;
        }
        oomLock.refusalReadBack(result.getRequestId(), command.getCommandId());
        if (result.getResumeOnWake()) {
            // It tries again once the lock's hints say a retry is due: its wake, read back, resumes it.
            run.wakeFor = run.lockAttempts - 1;
            if (!out.replaying()) {
                awaitDue(run, out);
            }
            return;
        }
        resumeRefused(run, out);
    }

    /** A refused request resumes: the kernel's "retry later" is over. */
    private void resumeRefused(Running run, CommandOutput out) {
        if (!out.replaying() && run.lockAskedNanos != Running.NEVER) {
            meters.lockWait(false, Duration.ofNanos(clock.monotonicTime() - run.lockAskedNanos));
        }
        resume(run, Optional.<Long>empty(), out);
    }

    /**
     * Live, for a refused request waiting to try again: its wake goes to this node's log now if a retry is due, else
     * once the lock's hints say so ({@link #idle} appends it on the command-log thread).
     */
    private void awaitDue(Running run, CommandOutput out) {
        run.wakeAwaited = true;
        CompletableFuture<Void> due = oomLock.whenDue();
        if (due.isDone()) {
            appendWake(run, out);
        } else {
            int attempt = run.wakeFor;
            due.thenRun(() -> dueWakes.add(new DueWake(run.id, attempt)));
        }
    }

    private void appendWake(Running run, CommandOutput out) {
        if (!run.wakeAppended) {
            run.wakeAppended = true;
            out.toNode(nodeId, command(JournaledOomLock.wakeId(run.id, run.wakeFor),
                    LockWake.newBuilder().setRequestId(run.id).setAttempt(run.wakeFor).build()));
        }
    }

    /**
     * Live, between commands: the wakes of refused requests whose retry the lock's hints now say is due; after a
     * restart, the waits the replay left (their hints are asked again).
     */
    @Override
    public void idle(CommandOutput out) {
        for (DueWake due; (due = dueWakes.poll()) != null;) {
            Running run = requests.get(due.requestId());
            if (run != null && run.wakeFor == due.attempt()) {
                appendWake(run, out);
            }
        }
        for (Running run : requests.values()) {
            if (run.wakeFor != Running.NO_WAKE && !run.wakeAwaited) {
                awaitDue(run, out);
            }
        }
    }

    /** A refused request's wake, read back: it tries {@code oom_lock} again. */
    private void resumeOnWake(LockWake wake, CommandOutput out) {
        Running run = requests.get(wake.getRequestId());
        if (run == null || run.wakeFor != wake.getAttempt() || !(run.awaiting instanceof LockCall)) {
            out.reject(new RejectReason(DeadLetterCategory.ORPHAN_LOCK_RESULT, "no request " + wake.getRequestId()
                    + " waits to try oom_lock again after its attempt " + wake.getAttempt()));
            return;
        }
        run.wakeFor = Running.NO_WAKE;
        run.wakeAwaited = false;
        run.wakeAppended = false;
        resumeRefused(run, out);
    }

    /**
     * A grant this node's request held was lost with the incarnation that took it (journaled by {@link #goLive}): the
     * attempt counts as refused, and the request resumes now, as after a failed trylock, to try again. Its memory
     * calls from here on are numbered after every call it made under the lost grant, whose late replies are orphans.
     */
    private void resumeAfterLostGrant(LockLost lost, CommandOutput out) {
        Running run = requests.get(lost.getRequestId());
        if (run == null || !(run.awaiting instanceof LockCall)) {
            out.reject(new RejectReason(DeadLetterCategory.ORPHAN_LOCK_RESULT, "no request " + lost.getRequestId()
                    + " waits for the lost grant of its oom_lock attempt " + lost.getAttempt()));
            return;
        }
        oomLock.refusalReadBack(run.id, JournaledOomLock.attemptId(run.id, lost.getAttempt()));
        run.nextCallId = Math.max(run.nextCallId, lost.getNextCallId());
        resumeRefused(run, out);
    }

    /**
     * After a restart's replay: a request that the replay left holding {@code oom_lock} holds a grant of the dead
     * incarnation, whose claim the restart withdrew, so another node may hold the lock now. It must not go on as
     * holder: the loss is journaled, and the fold restarts, its replay taking that attempt as refused.
     */
    @Override
    public boolean goLive(CommandOutput out) {
        String holder = oomLock.holder();
        if (holder == null) {
            return false;
        }
        Running run = requests.get(holder);
        Optional<LockLost> lost = oomLock.lostAtRestart(holder, run.lockAttempts - 1, run.nextCallId);
        lost.ifPresent(l -> out.toNode(nodeId, command(JournaledOomLock.lostId(holder, l.getAttempt()), l)));
        return lost.isPresent();
    }

    /** The fold restarts from a fresh node: this one's suspended requests are abandoned, their threads end. */
    @Override
    public void abandon() {
        scheduler.close();
    }

    /**
     * {@code mutex_trylock(&oom_lock)} for a suspended request: the grant it gets now, or null when it waits for a
     * refusal to come back through the log (the lock journals each attempt; a replay takes the journaled outcome).
     */
    private LockResult lockAttempt(Running run, CommandOutput out) {
        long asked = clock.monotonicTime();
        Optional<LockResult> grant = oomLock.attempt(run.id, run.lockAttempts++, out);
        if (out.replaying()) {
            return grant.orElse(null);
        }
        if (grant.isPresent()) {
            meters.lockWait(true, Duration.ofNanos(clock.monotonicTime() - asked));
            return grant.get();
        }
        run.lockAskedNanos = asked;
        return null;
    }

    /** The request holds {@code oom_lock} under {@code grant} and runs on until it stops again. */
    private RequestScheduler.Step<Await, NodeModel.Outcome> grantTo(Running run, LockResult grant, CommandOutput out) {
        oomLock.grantedTo(run.id, grant);
        run.awaiting = null;
        run.out = out;
        return scheduler.resume(run.id, Optional.of(grant.getToken()));
    }

    /** Before a replay: this node's journaled lock outcomes, so the replayed attempts find theirs. */
    @Override
    public void preview(NodeCommand command, long offset) {
        oomLock.preview(command);
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
        NodeSnapshot.Builder snapshot = NodeSnapshot.newBuilder();
        model.snapshotInto(snapshot);
        return Optional.of(snapshot
                .setRequestStops(stops)
                .setFencingFloor(oomLock.fencingFloor())
                .setGrantsInLog(new ArrayList<>(oomLock.grantsInLog())));
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
        model.restore(snapshot);
        stops = snapshot.getRequestStops();
        oomLock.restore(snapshot.getFencingFloor(),
                snapshot.getGrantsInLog().stream().map(CharSequence::toString).toList());
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
    private void settle(RequestScheduler.Step<Await, NodeModel.Outcome> step, CommandOutput out) {
        String requestId = step.requestId();
        Running run = requests.get(requestId);
        while (true) {
            publishKills(run, out);
            syncTasks(requestId, out);
            if (!(step instanceof RequestScheduler.Suspended<Await, NodeModel.Outcome> suspended)) {
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
        oomLock.ended(requestId, out);
        if (step instanceof RequestScheduler.Completed<Await, NodeModel.Outcome> done) {
            Duration inAgent = Duration.ofNanos(clock.monotonicTime() - run.startNanos);
            ProgressEvent progress = done.outcome().progress();
            progress.setStallMs(inAgent.toMillis());
            out.send(progressTopic, nodeId, progress);
            if (run.killed && !out.replaying()) {
                // Its kills freed pages here too (the victims' exits): the node reports its state with them.
                out.send(topics.nodeState(), nodeId, state(handling + 1, requestId + "/freed/" + nodeId));
            }
            if (!out.replaying()) {
                meters.outcome(done.outcome().kind(), done.outcome().path(), inAgent);
            }
        } else if (step instanceof RequestScheduler.Failed<Await, NodeModel.Outcome> failed) {
            RuntimeException e = failed.error();
            out.reject(new RejectReason(NodeModel.deadLetterCategory(e), "request " + requestId + ": "
                    + e.getMessage()));
        }
    }

    private NodeCommand command(String commandId, Object body) {
        // Stamped with the task events applied here, so the receiver applies them before it acts on the command.
        return NodeCommand.newBuilder().setCommandId(commandId).setOrigin(nodeId)
                .setTaskEventsOffset(model.taskEventsApplied())
                .setBody(body).build();
    }

    /** A {@code KillEvent} on {@code kills} for every task the request's OOM calls killed since it last stopped. */
    private void publishKills(Running run, CommandOutput out) {
        for (NodeModel.Kill kill : model.drainKills()) {
            run.killed = true;
            if (!out.replaying()) {
                meters.kill(kill.constraint());
                out.send(topics.kills(), kill.victimPid(), kill.event(run.id));
            }
        }
    }

    /** Sends the task-table entries the request changed since it last stopped to every other node. */
    private void syncTasks(String requestId, CommandOutput out) {
        model.drainTaskSync(requestId).ifPresent(sync -> {
            for (int n : model.otherNodes()) {
                out.toNode(n, command(requestId + "/sync/" + stops, sync));
            }
        });
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
            model.applySync(sync, stamp);
        } catch (Rejected e) {
            out.reject(e.reason());
        }
    }

    /** Whether {@code token} (a kill's grant; -1 for none) is older than an acquisition seen: then refused. */
    private boolean stale(long token, String what, CommandOutput out) {
        if (token < 0) {
            return false;
        }
        OptionalLong newer = oomLock.staleAgainst(token);
        if (newer.isPresent()) {
            out.reject(new RejectReason(DeadLetterCategory.STALE_FENCING_TOKEN, FencingCheck.STALE_FENCING_TOKEN + " "
                    + token + ": node " + nodeId + " has seen oom_lock acquired with token " + newer.getAsLong() + "; "
                    + what + " not applied"));
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
            model.serve(c).ifPresent(reply -> out.toNode(c.getReplyTo(),
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
        return model.nodeState(sequence, requestId);
    }

    /** A refused attempt of a request whose retry is due. */
    private record DueWake(String requestId, int attempt) {
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
        static final int NO_WAKE = -1;
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
        /** The refused attempt whose wake it waits for before it tries again, {@link #NO_WAKE} for none. */
        int wakeFor = NO_WAKE;
        /** Whether this incarnation asked the lock's hints for that wake (a replay does not). */
        boolean wakeAwaited;
        /** Whether that wake was appended to the log. */
        boolean wakeAppended;

        Running(String id, int pid, long startNanos) {
            this.id = id;
            this.pid = pid;
            this.startNanos = startNanos;
        }

    }

    /** What the model's kernel code asks of the agent, on the running request's thread. */
    private final class ModelAgent implements NodeModel.Agent {
        private Running running() {
            Running run = current.get();
            if (run == null) {
                throw new IllegalStateException("another node's memory or oom_lock used outside a request");
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
        public long stops() {
            return stops;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Optional<Long> tryLock() {
            return (Optional<Long>) running().suspension.await(new LockCall());
        }

        @Override
        public void unlock(long fencingToken) {
            oomLock.release(fencingToken, running().out);
        }

        @Override
        public boolean lockHeld() {
            return oomLock.isHeld();
        }

        @Override
        public long heldToken() {
            return oomLock.grantedToken();
        }
    }
}
