package dev.oomsim.kernel.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.oomsim.kernel.image.MachineImage;
import dev.oomsim.kernel.image.NodeImage;
import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.mm.RecordingNodeMemory;
import org.junit.jupiter.api.Test;

/**
 * In a node agent every other node's memory is a proxy to its owner: an image taken for the owned nodes only, and its
 * restore, never call another node's {@link NodeMemory} and never read or write the per-node rss and holdings of mms
 * on it. Node 1's memory here is a tripwire: once armed, any call on it fails the test.
 */
class OwnedNodesImageTest {
    private static final String TWO_NODES = "2-nodes-global-kill.yaml";

    private static Scenario scenario() throws IOException {
        return ScenarioFilesTest.scenario(TWO_NODES);
    }

    /** {@code delegate}, until {@code armed}: then every call, {@code nodeId()} included, throws. */
    private static NodeMemory tripwire(NodeMemory delegate, AtomicBoolean armed) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (armed.get()) {
                throw new AssertionError("node " + delegate.nodeId() + "'s memory was called: " + method.getName());
            }
            try {
                return method.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (NodeMemory) Proxy.newProxyInstance(NodeMemory.class.getClassLoader(),
                new Class<?>[] {NodeMemory.class}, handler);
    }

    /** Node 0 recorded into {@code journal}, node 1 behind a tripwire armed by {@code armed}. */
    private static ScenarioRunner boot(Scenario sc, List<String> journal, AtomicBoolean armed) {
        return new ScenarioRunner(sc, (node, local) -> node.id() == 0 ? new RecordingNodeMemory(local, journal)
                : tripwire(local, armed));
    }

    @Test
    void anImageOfNodeZeroOnlyNeverCallsNodeOnesMemoryNorTouchesItsMmState() throws IOException {
        Scenario sc = scenario();
        AtomicBoolean armedA = new AtomicBoolean();
        ScenarioRunner a = boot(sc, new ArrayList<>(), armedA);
        EventResult.Alloc kill = (EventResult.Alloc) a.runEvent(0, sc.events().get(0));
        assertThat(kill.oom().killed()).containsExactly(900);
        armedA.set(true);
        MachineImage image = a.captureImage(node -> node == 0);
        assertThat(image.nodeIds()).containsExactly(0);

        AtomicBoolean armedB = new AtomicBoolean();
        List<String> journalB = new ArrayList<>();
        ScenarioRunner b = boot(sc, journalB, armedB);
        armedB.set(true);
        journalB.clear();
        b.restoreImage(image);
        assertThat(journalB).containsExactly("n0 restoreImage(3 mms)");
        assertThat(b.captureImage(node -> node == 0)).isEqualTo(image);

        // node 1 in B is as booted: the victim's pages there, and its rss there, were not restored (A released them)
        armedA.set(false);
        armedB.set(false);
        NodeImage bootNode1 = new ScenarioRunner(sc).captureImage(node -> node == 1).nodes().get(0);
        NodeImage aNode1 = a.captureImage(node -> node == 1).nodes().get(0);
        NodeImage bNode1 = b.captureImage(node -> node == 1).nodes().get(0);
        assertThat(bNode1).isEqualTo(bootNode1).isNotEqualTo(aNode1);
        assertThat(bNode1.mms().get(1).mmId()).isEqualTo(900);
        assertThat(bNode1.mms().get(1).anonPages()).isEqualTo(2000);
        assertThat(aNode1.mms().get(1).anonPages()).isZero();
        assertThat(b.machine().tasks().get(900).alive()).isFalse();
        assertThat(b.machine().tasks().get(900).mm()).isNull();
    }

    /** A memory answered elsewhere, as a node agent's proxy: every operation delegated, imaging left to the default. */
    private static NodeMemory elsewhere(NodeMemory local) {
        return (NodeMemory) Proxy.newProxyInstance(NodeMemory.class.getClassLoader(),
                new Class<?>[] {NodeMemory.class}, (proxy, method, args) -> method.isDefault()
                        ? InvocationHandler.invokeDefault(proxy, method, args) : method.invoke(local, args));
    }

    @Test
    void aNodeWhoseMemoryIsElsewhereRefusesToBeImagedOrRestored() throws IOException {
        NodeMemory.Factory nodeOneElsewhere = (node, local) -> node.id() == 0 ? local : elsewhere(local);
        ScenarioRunner runner = new ScenarioRunner(scenario(), nodeOneElsewhere);
        assertThatThrownBy(() -> runner.captureImage(node -> true)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("node 1: ").hasMessageContaining("only the process that owns the node can");
        assertThat(runner.captureImage(node -> node == 0).nodeIds()).containsExactly(0);

        MachineImage bothNodes = new ScenarioRunner(scenario()).captureImage(node -> true);
        assertThatThrownBy(() -> new ScenarioRunner(scenario(), nodeOneElsewhere).restoreImage(bothNodes))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("node 1: ");
    }
}
