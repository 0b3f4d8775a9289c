package dev.oomsim.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.oomsim.agent.runtime.CommandOutput;
import dev.oomsim.schemas.LockAcquired;
import dev.oomsim.schemas.LockLost;
import dev.oomsim.schemas.LockResult;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.service.RejectReason;
import org.junit.jupiter.api.Test;

/**
 * The journaled {@code oom_lock} of node 0 of a three-node machine, without a broker: what it journals and announces,
 * what a replay takes from its journal, when the cluster grant is released, and the fencing floor.
 */
class JournaledOomLockTest {

    private final ScriptedClusterLock cluster = new ScriptedClusterLock();
    private final JournaledOomLock lock = new JournaledOomLock(0, cluster, List.of(1, 2),
            (id, body) -> NodeCommand.newBuilder().setCommandId(id).setOrigin(0).setTaskEventsOffset(0).setBody(body)
                    .build());

    @Test
    void aLiveGrantIsJournaledInTheNodesLogAndAnnouncedToEveryOtherNode() {
        cluster.grants.add(Optional.of(7L));
        Output out = new Output(false);

        Optional<LockResult> grant = lock.attempt("r1", 0, out);

        assertThat(grant).map(LockResult::getToken).contains(7L);
        assertThat(out.commands).extracting(c -> c.node, c -> c.command.getCommandId().toString())
                .containsExactly(tuple(0, "r1/lock/0"), tuple(1, "r1/acquired"), tuple(2, "r1/acquired"));
        assertThat(((LockAcquired) out.commands.get(1).command.getBody()).getToken()).isEqualTo(7);
        assertThat(lock.grantsInLog()).containsExactly("r1/lock/0");
        assertThat(lock.grantReadBack("r1/lock/0")).as("the grant comes back through the log").isTrue();
        assertThat(lock.grantReadBack("r1/lock/0")).as("and only once").isFalse();
    }

    @Test
    void aRefusalIsJournaledAndAnnouncedToNoOne() {
        Output out = new Output(false);

        assertThat(lock.attempt("r1", 0, out)).isEmpty();

        assertThat(out.commands).hasSize(1);
        LockResult refusal = (LockResult) out.commands.get(0).command.getBody();
        assertThat(refusal.getGranted()).isFalse();
        assertThat(refusal.getToken()).isEqualTo(-1);
        assertThat(lock.grantsInLog()).isEmpty();
    }

    @Test
    void theClusterGrantIsReleasedOnlyAfterTheTransactionThatDecidedUnderItCommits() {
        cluster.grants.add(Optional.of(3L));
        Output out = new Output(false);
        lock.grantedTo("r1", lock.attempt("r1", 0, out).orElseThrow());
        assertThat(lock.grantedToken()).isEqualTo(3);

        lock.release(3, out);

        assertThat(lock.grantedToken()).isEqualTo(-1);
        assertThat(cluster.unlocked).as("not before the commit").isEmpty();
        out.commit();
        assertThat(cluster.unlocked).containsExactly(3L);
    }

    @Test
    void aTrylockBeforeTheCommitTakesTheSameGrantAgainWithoutAskingTheCluster() {
        cluster.grants.add(Optional.of(3L));
        Output out = new Output(false);
        lock.grantedTo("r1", lock.attempt("r1", 0, out).orElseThrow());
        lock.release(3, out);

        Optional<LockResult> again = lock.attempt("r2", 0, out);

        assertThat(again).map(LockResult::getToken).contains(3L);
        assertThat(cluster.tries).isEqualTo(1);
        out.commit();
        assertThat(cluster.unlocked).as("the release was taken back by the second grant").isEmpty();
    }

    @Test
    void anotherRequestOfTheSameNodeIsRefusedWhileOneHoldsTheLock() {
        cluster.grants.add(Optional.of(3L));
        cluster.grants.add(Optional.of(4L));
        Output out = new Output(false);
        lock.grantedTo("r1", lock.attempt("r1", 0, out).orElseThrow());

        assertThat(lock.attempt("r2", 0, out)).as("a mutex among the node's own requests too").isEmpty();
        assertThat(cluster.tries).isEqualTo(1);
    }

    @Test
    void aRequestThatEndsHoldingTheLockReleasesIt() {
        cluster.grants.add(Optional.of(5L));
        Output out = new Output(false);
        lock.grantedTo("r1", lock.attempt("r1", 0, out).orElseThrow());

        lock.ended("r2", out);
        out.commit();
        assertThat(cluster.unlocked).as("another request's end releases nothing").isEmpty();
        lock.ended("r1", out);
        out.commit();
        assertThat(cluster.unlocked).containsExactly(5L);
    }

    @Test
    void aReplayTakesEachAttemptsJournaledOutcomeAndTriesNothing() {
        lock.preview(journaled("r1/lock/0", "r1", false, -1));
        lock.preview(journaled("r1/lock/1", "r1", true, 9));
        Output replay = new Output(true);

        assertThat(lock.attempt("r1", 0, replay)).isEmpty();
        lock.refusalReadBack("r1", "r1/lock/0");
        assertThat(lock.attempt("r1", 1, replay)).map(LockResult::getToken).contains(9L);
        assertThat(cluster.tries).isZero();
        assertThat(replay.commands).isEmpty();
        lock.grantedTo("r1", LockResult.newBuilder().setRequestId("r1").setGranted(true).setToken(9).build());
        lock.release(9, replay);
        assertThat(replay.afterCommit).as("a replay never releases the cluster lock").isEmpty();
    }

    @Test
    void aReplayWhoseAttemptHasNoJournaledOutcomeFailsLoudly() {
        assertThatThrownBy(() -> lock.attempt("r1", 0, new Output(true)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("oom_lock attempt 0");
    }

    @Test
    void aGrantAlreadyUsedIsNotJournaledForTheReplayAgain() {
        lock.restore(-1, List.of("r1/lock/0"));

        lock.preview(journaled("r1/lock/0", "r1", true, 2));

        assertThatThrownBy(() -> lock.attempt("r1", 0, new Output(true))).isInstanceOf(IllegalStateException.class);
        assertThat(lock.grantReadBack("r1/lock/0")).isTrue();
    }

    @Test
    void killsUnderAGrantOlderThanTheNewestAcquisitionSeenAreStale() {
        lock.observeAcquisition(10);

        assertThat(lock.staleAgainst(9)).hasValue(10);
        assertThat(lock.staleAgainst(10)).isEmpty();
        assertThat(lock.staleAgainst(11)).isEmpty();
        assertThat(lock.fencingFloor()).isEqualTo(11);
    }

    @Test
    void aRestoredNodeKeepsItsFencingFloor() {
        lock.restore(12, List.of());

        assertThat(lock.staleAgainst(11)).hasValue(12);
        assertThat(lock.fencingFloor()).isEqualTo(12);
    }

    @Test
    void goingLiveAHolderOfAGrantThisIncarnationDoesNotHoldHasLostIt() {
        lock.preview(journaled("r1/lock/0", "r1", true, 4));
        Output replay = new Output(true);
        lock.grantedTo("r1", lock.attempt("r1", 0, replay).orElseThrow());

        assertThat(lock.lostAtRestart("r2", 0, 0)).as("not the holder").isEmpty();
        LockLost lost = lock.lostAtRestart("r1", 0, 3).orElseThrow();
        assertThat(lost.getToken()).isEqualTo(4);
        assertThat(lost.getNextCallId()).isEqualTo(3);
        assertThat(JournaledOomLock.lostId("r1", 0)).isEqualTo("r1/lock/0/lost");
    }

    @Test
    void aHolderOfAGrantThisIncarnationHoldsHasLostNothing() {
        cluster.grants.add(Optional.of(5L));
        lock.grantedTo("r1", lock.attempt("r1", 0, new Output(false)).orElseThrow());

        assertThat(lock.lostAtRestart("r1", 0, 0)).isEmpty();
    }

    @Test
    void aGrantJournaledAsLostIsReplayedAsARefusalAnsweredByItsLostRecord() {
        lock.preview(journaled("r1/lock/0", "r1", true, 4));
        lock.preview(NodeCommand.newBuilder().setCommandId("r1/lock/0/lost").setOrigin(0).setTaskEventsOffset(0)
                .setBody(LockLost.newBuilder().setRequestId("r1").setAttempt(0).setToken(4).setNextCallId(3).build())
                .build());
        Output replay = new Output(true);

        assertThat(lock.attempt("r1", 0, replay)).as("the lost grant's attempt is refused").isEmpty();
        assertThat(lock.holder()).isNull();
        assertThat(lock.grantReadBack("r1/lock/0")).as("the lost grant read back is no orphan").isTrue();
        lock.refusalReadBack("r1", "r1/lock/0");
        cluster.grants.add(Optional.of(6L));
        assertThat(lock.attempt("r1", 1, new Output(false))).as("the retry tries the cluster lock")
                .map(LockResult::getToken).contains(6L);
        assertThat(cluster.tries).isEqualTo(1);
    }

    private static NodeCommand journaled(String commandId, String requestId, boolean granted, long token) {
        return NodeCommand.newBuilder().setCommandId(commandId).setOrigin(0).setTaskEventsOffset(0)
                .setBody(LockResult.newBuilder().setRequestId(requestId).setGranted(granted).setToken(token).build())
                .build();
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }

    private record Sent(int node, NodeCommand command) {
    }

    /** Commands the lock appends, and its after-commit actions, run by {@link #commit()}. */
    private static final class Output implements CommandOutput {
        final boolean replaying;
        final List<Sent> commands = new ArrayList<>();
        final List<Runnable> afterCommit = new ArrayList<>();

        Output(boolean replaying) {
            this.replaying = replaying;
        }

        @Override
        public boolean replaying() {
            return replaying;
        }

        @Override
        public void toNode(int node, NodeCommand command) {
            commands.add(new Sent(node, command));
        }

        @Override
        public <K, V> void send(TopicSpec<K, V> topic, K key, V value) {
            throw new AssertionError("the lock sends to no topic");
        }

        @Override
        public void reject(RejectReason reason) {
            throw new AssertionError("the lock rejects nothing: " + reason);
        }

        @Override
        public void afterCommit(Runnable action) {
            afterCommit.add(action);
        }

        void commit() {
            afterCommit.forEach(Runnable::run);
            afterCommit.clear();
        }
    }
}
