package dev.oomsim.kernel.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import dev.oomsim.kernel.image.MachineImage;
import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.oom.OomLock;
import dev.oomsim.kernel.oom.OomLockToken;
import org.junit.jupiter.api.Test;

/**
 * An image restores only into a machine booted from the spec it was taken of: any other machine is refused with a
 * message naming what differs, before anything changes.
 */
class ImageFitTest {
    private static final String ONE_NODE = """
            profile: seed
            nodes:
              - id: 0
                zones:
                  - {type: NORMAL, managed_pages: 4096, free: {10: 1, 0: 8}}
            tasks:
              - {pid: 1, comm: init, flags: [global_init], rss: {0: {anon: 100}}}
              - {pid: 1000, comm: bash, rss: {0: {anon: 500}}}
            events:
              - alloc: {pid: 1000, gfp: GFP_KERNEL, order: 3}
            """;

    /** An image of {@link #ONE_NODE} after its event (the free lists and bash's holdings changed). */
    private static MachineImage imageAfterItsEvent() {
        ScenarioRunner runner = new ScenarioRunner(ScenarioParser.parse(Yaml.tree(ONE_NODE)));
        runner.runEvent(0, ScenarioParser.parse(Yaml.tree(ONE_NODE)).events().get(0));
        return runner.captureImage(node -> true);
    }

    private static void assertRefusedUnchanged(String otherMachine, String... messageParts) {
        ScenarioRunner other = Yaml.boot(otherMachine);
        MachineImage before = other.captureImage(node -> true);
        assertThatThrownBy(() -> other.restoreImage(imageAfterItsEvent()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContainingAll(messageParts);
        assertThat(other.captureImage(node -> true)).isEqualTo(before);
    }

    @Test
    void theImageRestoresIntoTheSameMachine() {
        ScenarioRunner same = Yaml.boot(ONE_NODE);
        MachineImage image = imageAfterItsEvent();
        same.restoreImage(image);
        assertThat(same.captureImage(node -> true)).isEqualTo(image);
    }

    @Test
    void aMachineWithAnotherNumberOfNodesRefusesIt() {
        assertRefusedUnchanged(ONE_NODE.replace("""
                tasks:""", """
                  - id: 1
                    zones:
                      - {type: NORMAL, managed_pages: 4096, free: {10: 1, 0: 8}}
                tasks:"""), "image: taken of a seed x86_64 machine of 1 nodes",
                "this one is seed x86_64 with 2 nodes");
    }

    @Test
    void aMachineOfAnotherProfileRefusesIt() {
        assertRefusedUnchanged(ONE_NODE.replace("profile: seed", "profile: modern"),
                "image: taken of a seed x86_64 machine", "this one is modern x86_64");
    }

    @Test
    void aMachineWithAnotherZoneLayoutRefusesIt() {
        assertRefusedUnchanged(ONE_NODE.replace("managed_pages: 4096", "managed_pages: 8192"),
                "node 0 zone NORMAL: the image is of zone 2 NORMAL spanning [0, 4096)",
                "this zone is 2 NORMAL spanning [0, 8192)");
    }

    @Test
    void aMachineWithOtherTasksRefusesIt() {
        assertRefusedUnchanged(ONE_NODE.replace("pid: 1000", "pid: 1001"),
                "image: task 1 is pid 1000, this machine's is pid 1001");
        assertRefusedUnchanged(ONE_NODE.replace("""
                  - {pid: 1000, comm: bash, rss: {0: {anon: 500}}}""", "").replace("pid: 1000, gfp", "pid: 1, gfp"),
                "image: 2 tasks, this machine has 1");
    }

    @Test
    void aMachineWhoseLockIsNotInProcessRefusesAnImageOfAnInProcessOne() {
        // a cluster-wide lock, as a node agent has: its state is its own topic's, not the image's
        ScenarioRunner clusterLocked = new ScenarioRunner(ScenarioParser.parse(Yaml.tree(ONE_NODE)),
                new OomLock() {
                    @Override
                    public Optional<OomLockToken> tryLock() {
                        return Optional.empty();
                    }

                    @Override
                    public void unlock(OomLockToken token) {
                    }

                    @Override
                    public boolean isHeld() {
                        return true;
                    }
                }, NodeMemory.Factory.local());
        assertThat(clusterLocked.captureImage(node -> true).oomLock()).isEmpty();
        assertThatThrownBy(() -> clusterLocked.restoreImage(imageAfterItsEvent()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image: holds an in-process oom_lock, this machine's is");
    }
}
