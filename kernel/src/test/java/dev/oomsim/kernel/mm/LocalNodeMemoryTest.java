package dev.oomsim.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.scenario.Yaml;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.kernel.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The per-zone operations of {@link LocalNodeMemory}, on one x86_64 node (NORMAL is zone index 2). */
class LocalNodeMemoryTest {

    private static ScenarioRunner node(String normalZoneExtra) {
        return Yaml.boot("""
                profile: seed
                sysctl: {min_free_kbytes: 1024}
                nodes:
                  - id: 0
                    zones:
                      - {type: NORMAL, managed_pages: 4096, %s}
                tasks:
                  - {pid: 100, comm: app, rss: {0: {anon: 64}}, total_vm: 64}
                """.formatted(normalZoneExtra));
    }

    /** reserved before, force, expected result, reserved after (pageblock = 512 pages). */
    @ParameterizedTest(name = "reserved {0}, force {1} -> {2}, {3} left")
    @CsvSource({
        "0, false, false, 0",
        "0, true, false, 0",
        "512, false, false, 512",
        "512, true, true, 0",
        "100, true, true, 0",
        "1000, false, true, 488",
        "1000, true, true, 488",
    })
    void unreserveHighatomicPageblockGivesBackOnePageblockOnlyWhenItMay(long reserved, boolean force,
            boolean expected, long left) {
        ScenarioRunner r = node("free_pages: 8, reserved_highatomic: " + reserved);
        assertThat(r.machine().memory(0).unreserveHighatomicPageblock(2, force)).isEqualTo(expected);
        assertThat(r.machine().memory(0).zoneSnapshot(2).reservedHighatomicPages()).isEqualTo(left);
    }

    @Test
    void reclaimZoneFreesUpToTheAskedPagesOfTheReclaimableCountIntoTheBuddyLists() {
        ScenarioRunner r = node("free_pages: 8, reclaimable_pages: 50");
        NodeMemory mem = r.machine().memory(0);
        assertThat(mem.reclaimZone(2, 32)).isEqualTo(32);
        assertThat(mem.zoneSnapshot(2).reclaimablePages()).isEqualTo(18);
        assertThat(mem.zoneSnapshot(2).freePages()).isEqualTo(8 + 32);
        assertThat(mem.reclaimZone(2, 100)).isEqualTo(18);
        assertThat(mem.reclaimZone(2, 100)).isZero();
        ZoneSnapshot after = mem.zoneSnapshot(2);
        assertThat(after.reclaimablePages()).isZero();
        assertThat(after.freePages()).isEqualTo(8 + 50);
        assertThat(r.machine().zone(0, 2).freePages()).isEqualTo(after.freePages());
    }

    @Test
    void zoneStepSkipsAZoneBelowItsMarkUnlessNoWatermarksAndTakesTheBlockOtherwise() {
        ScenarioRunner r = node("free_pages: 8");
        NodeMemory mem = r.machine().memory(0);
        assertThat(mem.zoneStep(2, 0, AllocFlags.ALLOC_WMARK_LOW, 2)).isNull();
        assertThat(mem.zoneSnapshot(2).freePages()).isEqualTo(8);
        Page p = mem.zoneStep(2, 0, AllocFlags.ALLOC_WMARK_LOW | AllocFlags.ALLOC_NO_WATERMARKS, 2);
        assertThat(p).isEqualTo(new Page(0, ZoneType.NORMAL, p.pfn(), 0));
        assertThat(mem.zoneSnapshot(2).freePages()).isEqualTo(7);
    }

    @Test
    void chargedBlocksCountAsRssOnTheNodeAndGoBackOnFreeOrExit() {
        ScenarioRunner r = node("free: {10: 2}");
        Machine m = r.machine();
        NodeMemory mem = m.memory(0);
        Task t = m.tasks().get(100);
        long free = mem.zoneSnapshot(2).freePages();
        Page p = mem.zoneStep(2, 2, AllocFlags.ALLOC_WMARK_MIN, 2);
        mem.chargeAllocation(t, p);
        assertThat(mem.anonPages(t.mm())).isEqualTo(64 + 4);
        assertThatThrownBy(() -> mem.freePages(t, p.pfn(), 1))
                .hasMessage("free: pid 100 does not hold pfn " + p.pfn() + " order 1");
        mem.freePages(t, p.pfn(), 2);
        assertThat(mem.anonPages(t.mm())).isEqualTo(64);
        assertThat(mem.zoneSnapshot(2).freePages()).isEqualTo(free);
        Mm mm = t.mm();
        m.exitTask(t);
        assertThat(mem.anonPages(mm)).isZero();
        assertThat(mem.zoneSnapshot(2).freePages()).isEqualTo(free + 64);
    }

    @Test
    void aSnapshotIsAValueThatLaterChangesDoNotReach() {
        ScenarioRunner r = node("free: {10: 2}");
        NodeMemory mem = r.machine().memory(0);
        ZoneSnapshot before = mem.zoneSnapshot(2);
        assertThat(mem.zoneSnapshot(2)).isEqualTo(before).hasSameHashCodeAs(before);
        long[] nrFree = before.nrFree();
        nrFree[10] = 99;
        assertThat(before.nrFree(10)).isEqualTo(2);
        mem.zoneStep(2, 0, AllocFlags.ALLOC_WMARK_MIN, 2);
        assertThat(before.freePages()).isEqualTo(2048);
        assertThat(mem.zoneSnapshot(2)).isNotEqualTo(before);
        assertThat(mem.zoneSnapshots()).containsExactly(mem.zoneSnapshot(2));
    }
}
