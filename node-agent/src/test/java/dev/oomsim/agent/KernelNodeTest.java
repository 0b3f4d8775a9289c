package dev.oomsim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.agent.runtime.CommandOutput;
import dev.oomsim.agent.wire.NodeModel;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.LockResult;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.service.DeadLetterCategory;
import dev.oomsim.service.RejectReason;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * One node's {@link KernelNode} without a broker: commands handed to it as the command log would, everything it sends
 * recorded. The machine is {@code scenarios/1-node-child-sacrifice.yaml} (8 free pages; bash's GFP_KERNEL page needs
 * the OOM killer, which sacrifices worker-b for the supervisor).
 */
class KernelNodeTest {

    private static final long GFP_KERNEL = 0x24000c0L;

    private final Topics topics = Topics.defaults(1);
    private final MockClock clock = new MockClock();
    private final ScriptedClusterLock lock = new ScriptedClusterLock();
    private final Recorder out = new Recorder();
    private final KernelNode node;
    private long offset;

    KernelNodeTest() throws Exception {
        Scenario machine = ScenarioParser.parse(new ObjectMapper(new YAMLFactory())
                .readValue(Path.of("..", "scenarios", "1-node-child-sacrifice.yaml").toFile(), Object.class));
        node = new KernelNode(new NodeModel.Boot(0, machine), topics, lock,
                new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock), clock);
    }

    @Test
    void anAllocationThatNeedsTheKillerTakesTheLockKillsAndReportsThePageWithItsPath() {
        lock.grants.add(Optional.of(7L));

        handle(command("good", request("good", AllocOp.ALLOC, 1000, GFP_KERNEL, 0)));

        assertThat(out.toNode).singleElement().satisfies(c -> {
            assertThat(c.getCommandId()).hasToString("good/lock/0");
            LockResult journaled = (LockResult) c.getBody();
            assertThat(journaled.getGranted()).isTrue();
            assertThat(journaled.getToken()).isEqualTo(7);
        });
        KillEvent kill = out.only(KillEvent.class);
        assertThat(kill.getVictimPid()).isEqualTo(103);
        assertThat(kill.getChosenPid()).isEqualTo(100);
        assertThat(kill.getSignalled()).containsExactly(105);
        assertThat(kill.getLockToken()).as("the kill carries the grant it was decided under").isEqualTo(7);
        ProgressEvent progress = out.only(ProgressEvent.class);
        assertThat(progress.getRequestId()).hasToString("good");
        assertThat(progress.getPage()).isNotNull();
        assertThat(progress.getPage().getPfn()).isZero();
        assertThat(progress.getPath()).map(CharSequence::toString).containsExactly("fastpath:fail", "kswapd:wake",
                "slowpath:min:fail", "reclaim:0", "may_oom:oom", "retry", "kswapd:wake", "slowpath:min:ok");
        assertThat(out.only(NodeState.class).getRequestId()).as("the victims' freed pages are reported")
                .hasToString("good/freed/0");
        assertThat(lock.unlocked).as("released only once the transaction has committed").isEmpty();
        out.commit();
        assertThat(lock.unlocked).containsExactly(7L);

        // The journaled grant comes back through the log: only checked, nothing more happens.
        out.clear();
        handle(out.journaled("good/lock/0"));
        assertThat(out.rejected).isEmpty();
        assertThat(out.sent).isEmpty();
    }

    @Test
    void aRefusedLockSuspendsTheRequestUntilItsLockResultComesBackThroughTheLog() {
        lock.grants.add(Optional.empty());
        lock.grants.add(Optional.of(12L));

        handle(command("waits", request("waits", AllocOp.ALLOC, 1000, GFP_KERNEL, 0)));

        NodeCommand refusal = out.toNode.get(0);
        assertThat(refusal.getCommandId()).hasToString("waits/lock/0");
        assertThat(((LockResult) refusal.getBody()).getGranted()).isFalse();
        assertThat(out.sent).as("no outcome while it waits for oom_lock").isEmpty();

        clock.add(Duration.ofMillis(250));
        out.clear();
        handle(refusal);

        assertThat(out.toNode).singleElement().satisfies(c -> {
            assertThat(c.getCommandId()).hasToString("waits/lock/1");
            assertThat(((LockResult) c.getBody()).getToken()).isEqualTo(12);
        });
        assertThat(out.only(KillEvent.class).getLockToken()).isEqualTo(12);
        ProgressEvent progress = out.only(ProgressEvent.class);
        assertThat(progress.getPage()).isNotNull();
        assertThat(progress.getPath()).map(CharSequence::toString).contains("may_oom:oom").last()
                .isEqualTo("slowpath:min:ok");
        assertThat(progress.getStallMs()).as("time in the agent, by the injected clock").isEqualTo(250);
        assertThat(out.rejected).isEmpty();
    }

    @Test
    void aCostlyOrderTakesTheLockButSkipsTheKillerAndReportsNull() {
        lock.grants.add(Optional.of(5L));

        handle(command("costly", request("costly", AllocOp.ALLOC, 1000, GFP_KERNEL, 4)));

        ProgressEvent progress = out.only(ProgressEvent.class);
        assertThat(progress.getPage()).as("the allocation returned NULL").isNull();
        assertThat(progress.getPath()).map(CharSequence::toString).contains("may_oom:skip:costly");
        assertThat(out.sent).as("no kill, no freed pages to report").containsExactly(progress);
        assertThat(out.toNode).extracting(c -> c.getCommandId().toString()).containsExactly("costly/lock/0");
        out.commit();
        assertThat(lock.unlocked).containsExactly(5L);
    }

    @Test
    void aSnapshotRequestSendsTheNodeState() {
        handle(command("snap", request("snap", AllocOp.SNAPSHOT, 0, 0, 0)));

        NodeState state = out.only(NodeState.class);
        assertThat(state.getRequestId()).hasToString("snap");
        assertThat(state.getSequence()).isEqualTo(1);
        assertThat(state.getZones().get(0).getFreePages()).isEqualTo(8);
        assertThat(state.getTasks()).extracting(t -> t.getPid()).contains(100, 103, 1000);
    }

    @Test
    void commandsWithNoBodyItHandlesGoToDeadLetterWithTheReason() {
        handle(new NodeCommand("nobody", 1, 0L, null));
        handle(new NodeCommand("stray", 1, 0L, ProgressEvent.newBuilder().setRequestId("x").setNode(0).setPid(1)
                .setKind(dev.oomsim.schemas.OutcomeKind.ALLOC).build()));
        handle(command("bad-order", request("bad-order", AllocOp.ALLOC, 1000, GFP_KERNEL, 12)));

        assertThat(out.rejected).satisfiesExactly(
                r -> assertThat(r).isEqualTo(new RejectReason(DeadLetterCategory.UNKNOWN_COMMAND,
                        "command nobody has a body of no kind node 0 handles: null")),
                r -> assertThat(r).isEqualTo(new RejectReason(DeadLetterCategory.UNKNOWN_COMMAND,
                        "command stray has a body of no kind node 0 handles: ProgressEvent")),
                r -> assertThat(r.message()).isEqualTo("order 12 is outside 0..10"));
        assertThat(out.sent).isEmpty();
        assertThat(out.toNode).isEmpty();
    }

    @Test
    void aGrantThatNoRequestUsedIsAnOrphan() {
        handle(NodeCommand.newBuilder().setCommandId("ghost/lock/0").setOrigin(0).setBody(LockResult.newBuilder()
                .setRequestId("ghost").setGranted(true).setToken(3).build()).build());

        assertThat(out.rejected).singleElement().satisfies(r -> {
            assertThat(r.category()).isEqualTo(DeadLetterCategory.ORPHAN_LOCK_RESULT);
            assertThat(r.message()).isEqualTo("lock grant ghost/lock/0 was not used by a request of node 0");
        });
    }

    private void handle(NodeCommand command) {
        node.handle(command, offset++, out);
    }

    private static NodeCommand command(String id, AllocRequest body) {
        return NodeCommand.newBuilder().setCommandId(id).setOrigin(-1).setBody(body).build();
    }

    private static AllocRequest request(String id, AllocOp op, int pid, long gfp, int order) {
        return AllocRequest.newBuilder().setRequestId(id).setOp(op).setPid(pid).setGfpMask(gfp).setOrder(order)
                .setPreferredNode(0).build();
    }

    /** What the node sends while handling a live command; after-commit actions wait for {@link #commit()}. */
    private static final class Recorder implements CommandOutput {
        final List<NodeCommand> toNode = new ArrayList<>();
        final List<Object> sent = new ArrayList<>();
        final List<RejectReason> rejected = new ArrayList<>();
        final List<Runnable> afterCommit = new ArrayList<>();
        /** Every command the node appended to its own log, kept across {@link #clear()}. */
        final List<NodeCommand> log = new ArrayList<>();

        @Override
        public boolean replaying() {
            return false;
        }

        @Override
        public void toNode(int node, NodeCommand command) {
            assertThat(node).as("a one-node machine appends to its own log only").isZero();
            toNode.add(command);
            log.add(command);
        }

        @Override
        public <K, V> void send(TopicSpec<K, V> topic, K key, V value) {
            sent.add(value);
        }

        @Override
        public void reject(RejectReason reason) {
            rejected.add(reason);
        }

        @Override
        public void afterCommit(Runnable action) {
            afterCommit.add(action);
        }

        void commit() {
            afterCommit.forEach(Runnable::run);
            afterCommit.clear();
        }

        <T> T only(Class<T> type) {
            List<T> of = sent.stream().filter(type::isInstance).map(type::cast).toList();
            assertThat(of).as("records of type " + type.getSimpleName()).hasSize(1);
            return of.get(0);
        }

        NodeCommand journaled(String commandId) {
            return log.stream().filter(c -> c.getCommandId().toString().equals(commandId)).findFirst().orElseThrow();
        }

        void clear() {
            toNode.clear();
            sent.clear();
            rejected.clear();
        }
    }
}
