package dev.oomsim.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.oomsim.agent.runtime.CommandHandler;
import dev.oomsim.agent.runtime.CommandOutput;
import dev.oomsim.agent.runtime.RequestScheduler;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.AllocRequest;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.mm.ZoneSnapshot;
import dev.oomsim.kernel.oom.OomLock;
import dev.oomsim.kernel.oom.OomLockToken;
import dev.oomsim.kernel.oom.OomReport;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioException;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.schemas.LockResult;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.Profile;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskState;
import dev.oomsim.schemas.ZoneState;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.service.RejectReason;

/**
 * One NUMA node driven by its command log: the kernel model booted from the machine's scenario file, each command run
 * as the kernel call it names, each outcome reported on {@code progress} in full, state snapshots on
 * {@code node-state}. Bad requests (order above 10, another node's request, unknown or dead pid, invalid gfp, a free
 * of a block the task does not hold) go to dead-letter with the reason.
 *
 * <p>This step serves a one-node machine; a machine of several nodes needs the kernel's per-node memory seam so a
 * zonelist walk can continue on another agent (docs/node-agent-design.md), and is refused at start with a message
 * saying so. Owned by the command-log thread.
 */
public final class KernelNode implements CommandHandler {

    private static final int MAX_ORDER = 11;

    private final int nodeId;
    private final Topics topics;
    private final ScenarioRunner runner;
    private final Machine machine;
    private final ClusterLock clusterLock;
    private final JournaledOomLock oomLock;
    private final RequestScheduler<LockCall, Optional<OomLockToken>, EventResult> scheduler;
    /** Requester pid of each suspended request, for its progress event. */
    private final Map<String, Integer> suspendedPids = new HashMap<>();
    /**
     * What the killer reported since the request last stopped, on the request's thread; read by the loop thread after
     * the scheduler's hand-off (which orders the two).
     */
    private final List<Reported> oomReports = new ArrayList<>();

    public KernelNode(int nodeId, Scenario machineSpec, Topics topics, ClusterLock clusterLock) {
        if (machineSpec.nodes().size() != 1) {
            throw new IllegalArgumentException("the node agent runs one-node machines so far; this machine has "
                    + machineSpec.nodes().size() + " nodes (cross-node zonelist walks come with the kernel's node-memory seam)");
        }
        this.nodeId = nodeId;
        this.topics = topics;
        this.clusterLock = clusterLock;
        this.oomLock = new JournaledOomLock();
        this.runner = new ScenarioRunner(machineSpec, oomLock, NodeMemory.Factory.local());
        this.scheduler = new RequestScheduler<>("node-" + nodeId + "-request");
        this.machine = runner.machine();
        runner.oomKiller().setObserver(report -> oomReports.add(new Reported(report, oomLock.grantedToken)));
        if (machine.nodes().get(0).id() != nodeId) {
            throw new IllegalArgumentException("node.id " + nodeId + " is not a node of the machine (its node is "
                    + machine.nodes().get(0).id() + ")");
        }
    }

    @Override
    public void applyTaskEvent(TaskEvent event, long offset, CommandOutput out) {
        // The one-node machine takes its tasks from the machine file; task-events from other producers are not
        // applied yet (spawning a task needs its placement rules), so nothing of them changes this node.
    }

    @Override
    public void handle(NodeCommand command, long offset, CommandOutput out) {
        oomLock.replaying = out.replaying();
        if (command.getBody() instanceof LockResult result) {
            resumeWithLockResult(result, out);
            return;
        }
        dev.oomsim.schemas.AllocRequest r = (dev.oomsim.schemas.AllocRequest) command.getBody();
        int index = r.getSequence() == null ? (int) offset : (int) (long) r.getSequence();
        if (r.getOp() == dev.oomsim.schemas.AllocOp.SNAPSHOT) {
            out.send(topics.nodeState(), nodeId, snapshot(offset + 1, r.getRequestId()));
            return;
        }
        Scenario.Event event;
        try {
            event = toEvent(r);
        } catch (Rejected e) {
            out.reject(e.reason);
            return;
        }
        if (scheduler.isSuspended(r.getRequestId())) {
            out.reject(new RejectReason("duplicate-request", "request " + r.getRequestId() + " is already in progress"));
            return;
        }
        suspendedPids.put(r.getRequestId(), r.getPid());
        settle(scheduler.start(r.getRequestId(), suspension -> {
            oomLock.bind(suspension);
            return runner.runEvent(index, event);
        }), out);
    }

    /** A journaled lock outcome: the request that asked for it continues. */
    private void resumeWithLockResult(LockResult result, CommandOutput out) {
        if (!scheduler.isSuspended(result.getRequestId())) {
            out.reject(new RejectReason("orphan-lock-result", "no request " + result.getRequestId() + " waits for a lock result"));
            return;
        }
        Optional<OomLockToken> token = result.getGranted() ? Optional.of(new OomLockToken(result.getToken())) : Optional.empty();
        if (token.isPresent()) {
            oomLock.grantedToken = result.getToken();
        }
        settle(scheduler.resume(result.getRequestId(), token), out);
    }

    /**
     * Where the request stopped: reported when it ended; when it waits for {@code oom_lock}, the live agent tries the
     * cluster lock and journals the outcome into its own command log (a replay finds it there and tries nothing).
     */
    private void settle(RequestScheduler.Step<LockCall, EventResult> step, CommandOutput out) {
        String requestId = step.requestId();
        publishKills(requestId, out);
        if (step instanceof RequestScheduler.Suspended<LockCall, EventResult>) {
            if (!out.replaying()) {
                Optional<Long> token = clusterLock.tryLock();
                out.toNode(nodeId, NodeCommand.newBuilder().setCommandId(requestId + "/lock").setOrigin(nodeId)
                        .setTaskEventsOffset(0)
                        .setBody(LockResult.newBuilder().setRequestId(requestId).setGranted(token.isPresent())
                                .setToken(token.orElse(-1L)).build())
                        .build());
            }
            return;
        }
        int pid = suspendedPids.remove(requestId);
        if (step instanceof RequestScheduler.Completed<LockCall, EventResult> done) {
            out.send(topics.progress(), nodeId, OutcomeMapper.toProgress(requestId, nodeId, pid, done.outcome()));
        } else if (step instanceof RequestScheduler.Failed<LockCall, EventResult> failed) {
            RuntimeException e = failed.error();
            out.reject(new RejectReason(e instanceof ScenarioException ? "rejected-by-kernel" : "kernel-error",
                    String.valueOf(e.getMessage())));
        }
    }

    /** A {@code KillEvent} on {@code kills} for every task the request's OOM calls killed since it last stopped. */
    private void publishKills(String requestId, CommandOutput out) {
        for (Reported r : oomReports) {
            if (r.report().victim() != null && !out.replaying()) {
                out.send(topics.kills(), r.report().victim().pid(),
                        KillEvents.of(requestId, nodeId, r.report(), machine.profile(), r.lockToken()));
            }
        }
        oomReports.clear();
    }

    /** The request as the kernel event it names, or the reason it is bad input. */
    private Scenario.Event toEvent(dev.oomsim.schemas.AllocRequest r) throws Rejected {
        String path = "request " + r.getRequestId();
        Task task = machine.tasks().get(r.getPid());
        if (task == null) {
            throw new Rejected("unknown-pid", "unknown pid " + r.getPid());
        }
        if (!task.alive()) {
            throw new Rejected("dead-pid", "pid " + r.getPid() + " has exited");
        }
        switch (r.getOp()) {
            case ALLOC, MAY_OOM, FREE -> {
                if (r.getOrder() < 0 || r.getOrder() >= MAX_ORDER) {
                    throw new Rejected("invalid-order", "order " + r.getOrder() + " is outside 0.." + (MAX_ORDER - 1));
                }
                if (r.getPreferredNode() != nodeId && r.getPreferredNode() != -1) {
                    throw new Rejected("unknown-node", "request for node " + r.getPreferredNode() + " reached node " + nodeId);
                }
            }
            default -> {
            }
        }
        return switch (r.getOp()) {
            case ALLOC -> new Scenario.AllocEvent(path, r.getPid(), gfp(r), r.getOrder(), r.getPreferredNode());
            case MAY_OOM -> new Scenario.MayOomEvent(path, r.getPid(), gfp(r), r.getOrder(), r.getPreferredNode());
            case FREE -> {
                if (r.getPfn() == null) {
                    throw new Rejected("invalid-free", "a FREE request needs a pfn");
                }
                yield new Scenario.FreeEvent(path, r.getPid(), nodeId, r.getPfn(), r.getOrder());
            }
            case EXIT -> new Scenario.ExitEvent(path, r.getPid());
            case SET_ADJ -> {
                if (r.getOomScoreAdj() < -1000 || r.getOomScoreAdj() > 1000) {
                    throw new Rejected("invalid-adj", "oom_score_adj " + r.getOomScoreAdj() + " is outside -1000..1000");
                }
                yield new Scenario.SetEvent(path, r.getPid(), r.getOomScoreAdj());
            }
            case CHARGE -> new Scenario.ChargeEvent(path, r.getPid(), r.getPages());
            case OOM_SCORE -> new Scenario.OomScoreEvent(path, r.getPid());
            case SNAPSHOT -> throw new IllegalStateException("SNAPSHOT is handled before");
        };
    }

    private GfpFlags gfp(dev.oomsim.schemas.AllocRequest r) throws Rejected {
        try {
            GfpFlags gfp = GfpFlags.fromRaw(r.getGfpMask(), machine.profile());
            gfp.gfpZone(machine.arch());
            return gfp;
        } catch (IllegalArgumentException e) {
            throw new Rejected("invalid-gfp", String.format("invalid gfp 0x%x: %s", r.getGfpMask(), e.getMessage()));
        }
    }

    /** The node as it stands: zones with marks, reserves and free lists; tasks with liveness and rss on this node. */
    NodeState snapshot(long sequence, String requestId) {
        NodeMemory memory = machine.memory(nodeId);
        List<ZoneState> zones = new ArrayList<>();
        for (ZoneSnapshot z : memory.zoneSnapshots()) {
            List<Long> nrFree = new ArrayList<>();
            for (long v : z.nrFree()) {
                nrFree.add(v);
            }
            List<Long> reserve = new ArrayList<>();
            for (long v : z.lowmemReserve()) {
                reserve.add(v);
            }
            zones.add(ZoneState.newBuilder()
                    .setZone(dev.oomsim.schemas.ZoneType.valueOf(z.type().name()))
                    .setManagedPages(z.managedPages())
                    .setFreePages(z.freePages())
                    .setNrFree(nrFree)
                    .setWatermarkMin(z.watermarks().minPages())
                    .setWatermarkLow(z.watermarks().lowPages())
                    .setWatermarkHigh(z.watermarks().highPages())
                    .setLowmemReserve(reserve)
                    .setReclaimablePages(z.reclaimablePages())
                    .build());
        }
        List<TaskState> tasks = new ArrayList<>();
        for (Task t : machine.tasks().all()) {
            tasks.add(TaskState.newBuilder()
                    .setPid(t.pid())
                    .setAlive(t.alive())
                    .setMemdie(t.has(TaskFlag.MEMDIE))
                    .setKilled(t.killed())
                    .setRssPages(t.mm() == null ? 0L : memory.anonPages(t.mm()) + memory.filePages(t.mm()))
                    .build());
        }
        return NodeState.newBuilder()
                .setNode(nodeId)
                .setSequence(sequence)
                .setRequestId(requestId)
                .setProfile(Profile.valueOf(machine.profile().name()))
                .setMinFreeKbytes(machine.sysctl().minFreeKbytes())
                .setTotalramPages(machine.totalramPages())
                .setOomLockHeld(machine.oomLock().isHeld())
                .setZones(zones)
                .setTasks(tasks)
                .build();
    }

    /** An OOM call's report with the fencing token of the grant held while it ran (-1 for none). */
    private record Reported(OomReport report, long lockToken) {
    }

    /** What a suspended request waits for: the outcome of a trylock of the cluster {@code oom_lock}. */
    record LockCall() {
    }

    /**
     * The kernel's {@code oom_lock} inside the agent: {@code tryLock} suspends the calling request until its journaled
     * outcome comes back through the command log; {@code unlock} releases the cluster grant unless the agent replays.
     * Each request runs on its own thread, so the suspension is found per thread.
     */
    private final class JournaledOomLock implements OomLock {
        private final ThreadLocal<RequestScheduler.Suspension<LockCall, Optional<OomLockToken>>> suspension = new ThreadLocal<>();
        volatile boolean replaying;
        /** The fencing token of the grant the running request holds, -1 when it holds none (a memcg OOM). */
        volatile long grantedToken = -1;

        void bind(RequestScheduler.Suspension<LockCall, Optional<OomLockToken>> s) {
            suspension.set(s);
        }

        @Override
        public Optional<OomLockToken> tryLock() {
            RequestScheduler.Suspension<LockCall, Optional<OomLockToken>> s = suspension.get();
            if (s == null) {
                throw new IllegalStateException("oom_lock taken outside a request");
            }
            return s.await(new LockCall());
        }

        @Override
        public void unlock(OomLockToken token) {
            grantedToken = -1;
            if (!replaying) {
                clusterLock.unlock(token.fencingToken());
            }
        }

        @Override
        public boolean isHeld() {
            return clusterLock.isHeld();
        }
    }

    /** A request that is bad input, with its reason. */
    private static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final transient RejectReason reason;

        Rejected(String category, String message) {
            super(message, null, false, false);
            this.reason = new RejectReason(category, message);
        }
    }
}
