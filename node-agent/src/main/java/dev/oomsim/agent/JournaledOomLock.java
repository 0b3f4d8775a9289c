package dev.oomsim.agent;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiFunction;

import dev.oomsim.agent.runtime.CommandOutput;
import dev.oomsim.lock.FencingCheck;
import dev.oomsim.schemas.LockAcquired;
import dev.oomsim.schemas.LockLost;
import dev.oomsim.schemas.LockResult;
import dev.oomsim.schemas.NodeCommand;

/**
 * The kernel's {@code oom_lock} inside one node agent (docs/node-agent-design.md): the cluster lock tried on a
 * request's behalf, every outcome journaled in the node's own command log, and everything that follows from it — the
 * journal a replay takes its outcomes from, the grants used at once and not yet read back, the release waiting for
 * the commit of the transaction that decided under the grant, and the fencing floor (the newest acquisition seen
 * anywhere in the cluster). One owner for the fold and its writer, as {@code oom-lock}'s {@code LockState} is for the
 * lock topic.
 *
 * <p>The kernel model reaches it through {@code KernelNode}'s {@code OomLock}: its {@code mutex_trylock(&oom_lock)}
 * suspends the calling request until {@link #attempt} has an outcome for it; {@link #release} ({@code mutex_unlock})
 * releases the cluster grant once that transaction has committed (never while replaying), so no other node can
 * acquire, and fence, before this node's kill reaches it. A trylock before that commit takes the same grant again.
 * Speaks the wire's types only (the kernel's stay in {@code KernelNode}). Used by the command-log thread, and by the
 * request thread it hands off to (one at a time, ordered by the scheduler's hand-off).
 */
final class JournaledOomLock {

    private final int nodeId;
    private final ClusterLock clusterLock;
    private final List<Integer> otherNodes;
    /** Builds a command from this node (stamped with the task events it applied). */
    private final BiFunction<String, Object, NodeCommand> command;
    /** Lock outcomes this node journaled, per request, in log order: a replayed attempt takes its own. */
    private final LockJournal journal = new LockJournal();
    /** Command ids of grants used at once and not yet read back from the log, in log order. */
    private final ArrayDeque<String> grantsInLog = new ArrayDeque<>();
    /**
     * Journal ids of grants lost with the incarnation that took them ({@link LockLost}): read back, they are skipped.
     */
    private final Set<String> lostGrants = new HashSet<>();
    /** The newest {@code oom_lock} acquisition this node has seen: kill applications below it are refused. */
    private final FencingCheck fencing = new FencingCheck();
    /** The fencing token of the grant the running request holds, -1 when it holds none (a memcg OOM). */
    private volatile long grantedToken = -1;
    /** The request of this node holding the grant, else null (the lock is a mutex among this node's requests too). */
    private volatile String holder;
    /** A grant unlocked by the kernel whose cluster release waits for the transaction's commit, else null. */
    private volatile Long releasePending;

    JournaledOomLock(int nodeId, ClusterLock clusterLock, List<Integer> otherNodes,
            BiFunction<String, Object, NodeCommand> command) {
        this.nodeId = nodeId;
        this.clusterLock = clusterLock;
        this.otherNodes = List.copyOf(otherNodes);
        this.command = command;
    }

    /** The journal id of a request's {@code attempt}-th trylock. */
    static String attemptId(String requestId, int attempt) {
        return requestId + "/lock/" + attempt;
    }

    /** The journal id of the {@link LockLost} that says the grant of that attempt was lost. */
    static String lostId(String requestId, int attempt) {
        return attemptId(requestId, attempt) + "/lost";
    }

    /** Whether this agent holds the cluster grant ({@code mutex_is_locked}, as far as this node can tell). */
    boolean isHeld() {
        return clusterLock.isHeld();
    }

    /**
     * {@code mutex_trylock(&oom_lock)} for request {@code requestId}'s {@code attempt}-th try: the grant it gets now,
     * or empty when it waits for a refusal to come back through the log. Live, the cluster lock is tried and the
     * outcome journaled; in a replay the outcome is the one journaled for this attempt (gathered by {@link #preview}),
     * and nothing is tried.
     */
    Optional<LockResult> attempt(String requestId, int attempt, CommandOutput out) {
        String commandId = attemptId(requestId, attempt);
        if (out.replaying()) {
            LockJournal.Entry journaled = journal.peek(requestId);
            if (journaled == null || !journaled.commandId().equals(commandId)) {
                throw new IllegalStateException("replaying request " + requestId + ": its oom_lock attempt " + attempt
                        + " has no lock result in node " + nodeId + "'s command log");
            }
            if (!journaled.result().getGranted()) {
                return Optional.empty();
            }
            journal.take(requestId, commandId);
            grantsInLog.add(commandId);
            return Optional.of(journaled.result());
        }
        LockResult result = tryClusterLock(requestId, commandId, out);
        if (!result.getGranted()) {
            return Optional.empty();
        }
        grantsInLog.add(commandId);
        return Optional.of(result);
    }

    /** Request {@code requestId} now holds {@code oom_lock} under {@code grant} and runs on. */
    void grantedTo(String requestId, LockResult grant) {
        grantedToken = grant.getToken();
        holder = requestId;
        fencing.observeAcquisition(grant.getToken());
    }

    /**
     * A grant this node journaled, read back from its log. It was used when it was journaled, so reading it back only
     * checks it: false when no request of this node used it (an orphan). A grant that was lost with the incarnation
     * that took it ({@link LockLost}) is no orphan: its attempt counts as refused, and reading it back does nothing.
     */
    boolean grantReadBack(String commandId) {
        if (lostGrants.contains(commandId)) {
            return true;
        }
        String used = grantsInLog.peek();
        if (used == null || !used.equals(commandId)) {
            return false;
        }
        grantsInLog.poll();
        return true;
    }

    /** A refusal journaled as {@code commandId}, read back: the request it refused resumes now ("retry later"). */
    void refusalReadBack(String requestId, String commandId) {
        journal.take(requestId, commandId);
    }

    /**
     * Before a replay: this node's journaled lock outcomes, so the replayed attempts find theirs. A grant later
     * journaled as lost becomes a refusal of its attempt, which its {@link LockLost} answers when read back.
     */
    void preview(NodeCommand command) {
        if (command.getOrigin() != nodeId) {
            return;
        }
        if (command.getBody() instanceof LockResult result && !grantsInLog.contains(command.getCommandId())) {
            journal.add(result.getRequestId(), new LockJournal.Entry(command.getCommandId(), result));
        } else if (command.getBody() instanceof LockLost lost) {
            String attempt = attemptId(lost.getRequestId(), lost.getAttempt());
            journal.refuse(lost.getRequestId(), attempt);
            lostGrants.add(attempt);
        }
    }

    /**
     * Going live after a restart: the journal of the grant the running holder took in an earlier incarnation, when
     * this incarnation does not hold it (the restart withdrew that incarnation's claim, so another node may hold the
     * lock by now). Empty when no request holds {@code oom_lock} or the grant is this incarnation's.
     */
    Optional<LockLost> lostAtRestart(String requestId, int attempt, long nextCallId) {
        if (!requestId.equals(holder) || clusterLock.holds(grantedToken)) {
            return Optional.empty();
        }
        return Optional.of(LockLost.newBuilder().setRequestId(requestId).setAttempt(attempt).setToken(grantedToken)
                .setNextCallId(nextCallId).build());
    }

    /** The request that holds {@code oom_lock}, or null. */
    String holder() {
        return holder;
    }

    /** Request {@code requestId} ended: if it still held {@code oom_lock} (its kernel code threw), released with it. */
    void ended(String requestId, CommandOutput out) {
        if (requestId.equals(holder)) {
            release(grantedToken, out);
        }
    }

    /** The fencing token of the grant the running request holds, -1 when it holds none. */
    long grantedToken() {
        return grantedToken;
    }

    /** Another node (or this one) acquired {@code oom_lock} with {@code token}: the fencing floor rises to it. */
    void observeAcquisition(long token) {
        fencing.observeAcquisition(token);
    }

    /**
     * The newest acquisition seen when {@code token} (a kill's grant) is older than it, so what it carries must be
     * refused; empty when it may be applied.
     */
    OptionalLong staleAgainst(long token) {
        return fencing.accept(token) instanceof FencingCheck.Verdict.Rejected rejected
                ? OptionalLong.of(rejected.highestSeen()) : OptionalLong.empty();
    }

    /** The fencing floor a snapshot keeps (-1 for none seen). */
    long fencingFloor() {
        return fencing.highestSeen();
    }

    /** The grants used and not yet read back, in log order, as a snapshot keeps them. */
    List<String> grantsInLog() {
        return List.copyOf(grantsInLog);
    }

    /** A fresh node restored from a snapshot: its fencing floor and the grants it had not read back. */
    void restore(long fencingFloor, List<String> grants) {
        if (fencingFloor >= 0) {
            fencing.observeAcquisition(fencingFloor);
        }
        grantsInLog.addAll(grants);
    }

    /**
     * {@code mutex_trylock(&oom_lock)} on the cluster lock, journaled as {@code commandId} in this node's log; a grant
     * is announced to every other node's fencing floor.
     */
    private LockResult tryClusterLock(String requestId, String commandId, CommandOutput out) {
        Long unlockedHere = releasePending;
        releasePending = null;
        Optional<Long> token;
        boolean taken = false;
        if (holder != null) {
            // Another request of this node holds oom_lock (suspended in a call to another node): a mutex, so no.
            releasePending = unlockedHere;
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
        out.toNode(nodeId, command.apply(commandId, result));
        if (taken) {
            for (int n : otherNodes) {
                out.toNode(n, command.apply(requestId + "/acquired",
                        LockAcquired.newBuilder().setNode(nodeId).setToken(token.get()).build()));
            }
        }
        return result;
    }

    /**
     * {@code mutex_unlock(&oom_lock)}: the cluster release waits for the commit of {@code out}'s transaction (a replay
     * releases nothing: the grant it replays was released when it ran).
     */
    void release(long fencingToken, CommandOutput out) {
        grantedToken = -1;
        holder = null;
        if (!out.replaying()) {
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
}
