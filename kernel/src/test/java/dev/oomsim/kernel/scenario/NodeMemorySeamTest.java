package dev.oomsim.kernel.scenario;

import static dev.oomsim.kernel.scenario.ScenarioFilesTest.scenario;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.oomsim.kernel.mm.NodeMemory;
import dev.oomsim.kernel.mm.RecordingNodeMemory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel reaches other nodes only through {@link NodeMemory}: with every node but the requester's behind a
 * recording decorator, the multi-node scenarios give the same JSON, and the decorators see exactly the operations on
 * their node, in the order the kernel performs them (zonelist order within a walk). The expected journals were
 * checked by hand against docs/kernel-model.md; the comments say which kernel step each line is.
 */
class NodeMemorySeamTest {

    static Stream<Arguments> remoteJournals() {
        return Stream.of(
                Arguments.of("2-nodes-global-kill.yaml", 0, """
                        n1 loadTaskPages(mm 900, zone 2, anon 2000, file 0)
                        n1 loadTaskPages(mm 1000, zone 2, anon 500, file 100)
                        n1 zoneSnapshots() -> 1 zones
                        n1 zoneStep(zone 2, order 0, flags 0x41, reserve 2) -> null
                        n1 zoneStep(zone 2, order 0, flags 0x40, reserve 2) -> null
                        n1 reclaimZone(zone 2, max 32) -> 0
                        n1 zoneStep(zone 2, order 0, flags 0x42, reserve 2) -> null
                        n1 anonPages(mm 900) -> 2000
                        n1 filePages(mm 900) -> 0
                        n1 anonPages(mm 1000) -> 500
                        n1 filePages(mm 1000) -> 100
                        n1 anonPages(mm 900) -> 2000
                        n1 filePages(mm 900) -> 0
                        n1 anonPages(mm 1000) -> 500
                        n1 filePages(mm 1000) -> 100
                        n1 anonPages(mm 900) -> 2000
                        n1 filePages(mm 900) -> 0
                        n1 releaseKernelPages(pid 900)
                        n1 releaseMm(mm 900)
                        n1 zoneSnapshots() -> 1 zones
                        n1 anonPages(mm 1) -> 0
                        n1 filePages(mm 1) -> 0
                        n1 anonPages(mm 1000) -> 500
                        n1 filePages(mm 1000) -> 100
                        """),
                // Requester on node 1 in a hardwall cpuset of node 1: the cpuset rule (kept in PageAllocator) stops
                // every walk and reclaim before node 0, so node 0 only loads, answers rss and frees the victim.
                Arguments.of("2-nodes-cpuset-constraint.yaml", 1, """
                        n0 loadTaskPages(mm 500, zone 2, anon 1500, file 0)
                        n0 loadTaskPages(mm 600, zone 2, anon 1500, file 0)
                        n0 zoneSnapshots() -> 1 zones
                        n0 anonPages(mm 600) -> 1500
                        n0 filePages(mm 600) -> 0
                        n0 anonPages(mm 1000) -> 0
                        n0 filePages(mm 1000) -> 0
                        n0 anonPages(mm 600) -> 1500
                        n0 filePages(mm 600) -> 0
                        n0 anonPages(mm 1000) -> 0
                        n0 filePages(mm 1000) -> 0
                        n0 anonPages(mm 600) -> 1500
                        n0 filePages(mm 600) -> 0
                        n0 releaseKernelPages(pid 600)
                        n0 releaseMm(mm 600)
                        n0 zoneSnapshots() -> 1 zones
                        n0 anonPages(mm 500) -> 1500
                        n0 filePages(mm 500) -> 0
                        n0 anonPages(mm 1000) -> 0
                        n0 filePages(mm 1000) -> 0
                        """),
                // The bind nodemask {1} keeps the first request off node 0; the DMA32 request (no nodemask) skips
                // node 1's NORMAL and node 0's NORMAL (above high_zoneidx) and takes node 0's DMA32, reserve index 1.
                Arguments.of("2-nodes-mempolicy-bind.yaml", 1, """
                        n0 loadTaskPages(mm 500, zone 2, anon 1800, file 0)
                        n0 zoneSnapshots() -> 2 zones
                        n0 anonPages(mm 600) -> 0
                        n0 filePages(mm 600) -> 0
                        n0 anonPages(mm 1000) -> 0
                        n0 filePages(mm 1000) -> 0
                        n0 anonPages(mm 600) -> 0
                        n0 filePages(mm 600) -> 0
                        n0 anonPages(mm 1000) -> 0
                        n0 filePages(mm 1000) -> 0
                        n0 anonPages(mm 600) -> 0
                        n0 filePages(mm 600) -> 0
                        n0 releaseKernelPages(pid 600)
                        n0 releaseMm(mm 600)
                        n0 zoneStep(zone 1, order 0, flags 0x41, reserve 1) -> DMA32 pfn 0 order 0
                        n0 chargeAllocation(pid 1000, DMA32 pfn 0 order 0)
                        n0 zoneSnapshots() -> 2 zones
                        n0 anonPages(mm 500) -> 1800
                        n0 filePages(mm 500) -> 0
                        n0 anonPages(mm 1000) -> 1
                        n0 filePages(mm 1000) -> 0
                        """),
                // Requester in a softwall cpuset of node 0 (no alloc.node: its cpuset's first node). GFP_KERNEL: the
                // fast path's added HARDWALL keeps node 1 out, the slow path's MIN walk spills to it. GFP_USER: node 1
                // is never walked nor reclaimed; it answers rss for the CPUSET-constrained kill and frees the victim.
                Arguments.of("2-nodes-softwall-cpuset.yaml", 0, """
                        n1 loadTaskPages(mm 800, zone 2, anon 1000, file 0)
                        n1 zoneSnapshots() -> 1 zones
                        n1 zoneStep(zone 2, order 0, flags 0x40, reserve 2) -> NORMAL pfn 4096 order 0
                        n1 chargeAllocation(pid 1000, NORMAL pfn 4096 order 0)
                        n1 anonPages(mm 800) -> 1000
                        n1 filePages(mm 800) -> 0
                        n1 anonPages(mm 900) -> 0
                        n1 filePages(mm 900) -> 0
                        n1 anonPages(mm 1000) -> 1
                        n1 filePages(mm 1000) -> 0
                        n1 anonPages(mm 800) -> 1000
                        n1 filePages(mm 800) -> 0
                        n1 anonPages(mm 900) -> 0
                        n1 filePages(mm 900) -> 0
                        n1 anonPages(mm 1000) -> 1
                        n1 filePages(mm 1000) -> 0
                        n1 anonPages(mm 900) -> 0
                        n1 filePages(mm 900) -> 0
                        n1 releaseKernelPages(pid 900)
                        n1 releaseMm(mm 900)
                        n1 zoneSnapshots() -> 1 zones
                        n1 anonPages(mm 800) -> 1000
                        n1 filePages(mm 800) -> 0
                        n1 anonPages(mm 1000) -> 1
                        n1 filePages(mm 1000) -> 0
                        """),
                // THISNODE requests never leave node 0; the plain GFP_KERNEL one falls back to node 1.
                Arguments.of("2-nodes-thisnode.yaml", 0, """
                        n1 zoneSnapshots() -> 1 zones
                        n1 zoneStep(zone 2, order 0, flags 0x41, reserve 2) -> NORMAL pfn 4096 order 0
                        n1 chargeAllocation(pid 1000, NORMAL pfn 4096 order 0)
                        n1 zoneSnapshots() -> 1 zones
                        n1 anonPages(mm 900) -> 0
                        n1 filePages(mm 900) -> 0
                        n1 anonPages(mm 1000) -> 1
                        n1 filePages(mm 1000) -> 0
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("remoteJournals")
    void remoteNodesSeeExactlyTheirOperationsAndTheOutputIsUnchanged(String name, int requesterNode,
            String expectedJournal) throws IOException {
        Scenario sc = scenario(name);
        assertThat(sc.events()).allSatisfy(e -> assertThat(((Scenario.AllocEvent) e).node()).isIn(-1, requesterNode));
        List<String> journal = new ArrayList<>();
        ScenarioRun decorated = ScenarioRunner.run(sc,
                (node, local) -> node.id() == requesterNode ? local : new RecordingNodeMemory(local, journal));

        String expected = Files.readString(ScenarioFilesTest.SCENARIOS.resolve("expected")
                .resolve(name.replace(".yaml", ".jsonl")), StandardCharsets.UTF_8);
        assertThat(decorated.toJsonLines()).isEqualTo(ScenarioRunner.run(scenario(name)).toJsonLines())
                .isEqualTo(expected);
        assertThat(journal).containsExactlyElementsOf(expectedJournal.lines().toList());
    }

    static Stream<String> multiNodeScenarios() throws IOException {
        return ScenarioFilesTest.scenarios().filter(n -> n.startsWith("2-nodes-"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("multiNodeScenarios")
    void everyMultiNodeScenarioGivesTheSameOutputWithEveryNodeBehindADecorator(String name) throws IOException {
        List<String> journal = new ArrayList<>();
        ScenarioRun decorated = ScenarioRunner.run(scenario(name),
                (node, local) -> new RecordingNodeMemory(local, journal));
        assertThat(decorated.toJsonLines()).isEqualTo(ScenarioRunner.run(scenario(name)).toJsonLines());
        assertThat(journal).isNotEmpty();
    }

    static Stream<Arguments> walks() {
        return Stream.of(
                // GFP_KERNEL on node 0, both nodes exhausted: every walk (fast LOW, slow MIN, may_oom HIGH) tries
                // node 1 only after node 0 failed; after the kill the retry's MIN walk succeeds on node 0 and stops.
                Arguments.of("2-nodes-global-kill.yaml", """
                        n0 zoneStep(zone 2, order 0, flags 0x41, reserve 2) -> null
                        n1 zoneStep(zone 2, order 0, flags 0x41, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x40, reserve 2) -> null
                        n1 zoneStep(zone 2, order 0, flags 0x40, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x42, reserve 2) -> null
                        n1 zoneStep(zone 2, order 0, flags 0x42, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x40, reserve 2) -> NORMAL pfn 0 order 0
                        """),
                // Fast path (HARDWALL added) never reaches node 1 of the softwall requester; the slow path's MIN
                // walk does, after node 0 failed. The GFP_USER request never leaves node 0.
                Arguments.of("2-nodes-softwall-cpuset.yaml", """
                        n0 zoneStep(zone 2, order 0, flags 0x41, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x40, reserve 2) -> null
                        n1 zoneStep(zone 2, order 0, flags 0x40, reserve 2) -> NORMAL pfn 4096 order 0
                        n0 zoneStep(zone 2, order 0, flags 0x41, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x40, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x42, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x40, reserve 2) -> NORMAL pfn 2944 order 0
                        """),
                Arguments.of("2-nodes-thisnode.yaml", """
                        n0 zoneStep(zone 2, order 0, flags 0x41, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x40, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x42, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x41, reserve 2) -> null
                        n0 zoneStep(zone 2, order 0, flags 0x41, reserve 2) -> null
                        n1 zoneStep(zone 2, order 0, flags 0x41, reserve 2) -> NORMAL pfn 4096 order 0
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("walks")
    void zonelistWalkReachesTheRemoteZoneOnlyAfterTheLocalOneFailed(String name, String expectedSteps)
            throws IOException {
        List<String> journal = new ArrayList<>();
        ScenarioRunner.run(scenario(name), (node, local) -> new RecordingNodeMemory(local, journal));
        assertThat(journal.stream().filter(l -> l.contains(" zoneStep(")).toList())
                .containsExactlyElementsOf(expectedSteps.lines().toList());
    }
}
