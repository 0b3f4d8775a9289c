package dev.oomsim.agent.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.Page;
import dev.oomsim.kernel.mm.ZoneType;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Mm;
import dev.oomsim.schemas.MemoryCall;
import dev.oomsim.schemas.MemoryOp;
import dev.oomsim.schemas.MemoryReply;
import dev.oomsim.schemas.MmRss;
import org.junit.jupiter.api.Test;

/** How another node's memory turns kernel operations into calls: which need an answer, and one rss gather per OOM. */
class RemoteNodeMemoryTest {

    private final List<MemoryCall> calls = new ArrayList<>();
    private final List<MemoryCall> sent = new ArrayList<>();
    private long stops;
    private final Machine machine;
    private final RemoteNodeMemory node1;

    RemoteNodeMemoryTest() throws Exception {
        // Avro trusts our generated classes once their serdes load (as they do in an agent before any command).
        dev.oomsim.schemas.topics.Topics.defaults(1).allocRequests().valueSerde();
        machine = new ScenarioRunner(ScenarioParser.parse(new ObjectMapper(new YAMLFactory()).readValue("""
                nodes:
                  - id: 0
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 2000}]
                  - id: 1
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 2000}]
                tasks:
                  - {pid: 100, comm: a, rss: {1: {anon: 100}}}
                  - {pid: 200, comm: b, rss: {1: {anon: 50, file: 7}}}
                """, Object.class))).machine();
        node1 = new RemoteNodeMemory(machine.node(1), new RemoteNodeMemory.Calls() {
            @Override
            public MemoryReply call(int node, MemoryCall.Builder call) {
                MemoryCall c = call.build();
                calls.add(c);
                MemoryReply.Builder r = MemoryReply.newBuilder().setRequestId("r").setCallId(calls.size())
                        .setNode(node);
                if (c.getOp() == MemoryOp.RSS_GATHER) {
                    r.setRss(List.of(new MmRss(100, 100L, 0L), new MmRss(200, 50L, 7L)));
                } else if (c.getOp() == MemoryOp.FREE_PAGES) {
                    r.setError("free: pid 100 does not hold pfn 4096 order 0");
                }
                return r.build();
            }

            @Override
            public void send(int node, MemoryCall.Builder call) {
                sent.add(call.build());
            }

            @Override
            public long killTokenOfTask(int pid) {
                return pid == 100 ? 7 : -1;
            }

            @Override
            public long killTokenOfMm(int mm) {
                return mm == 100 ? 7 : -1;
            }

            @Override
            public long stops() {
                return stops;
            }
        });
    }

    private Mm mm(int pid) {
        return machine.tasks().get(pid).mm();
    }

    @Test
    void theRssReadsOfOneSelectionShareOneGatherUntilTheRequestStopsOrTheNodeChanges() {
        assertThat(node1.anonPages(mm(100))).isEqualTo(100);
        assertThat(node1.anonPages(mm(200))).isEqualTo(50);
        assertThat(node1.filePages(mm(200))).isEqualTo(7);
        assertThat(calls).extracting(MemoryCall::getOp).containsExactly(MemoryOp.RSS_GATHER);

        stops++;
        node1.anonPages(mm(100));
        assertThat(calls).as("the request stopped since: gathered again").hasSize(2);

        node1.releaseMm(mm(100));
        node1.filePages(mm(200));
        assertThat(calls).as("this agent changed node 1: gathered again").hasSize(3);
    }

    @Test
    void chargesAndReleasesAreAppendedWithoutWaitingAndAKillsReleaseCarriesItsToken() {
        node1.chargeAllocation(machine.tasks().get(200), new Page(1, ZoneType.NORMAL, 4100, 2));
        node1.releaseKernelPages(100);
        node1.releaseMm(mm(100));
        node1.releaseMm(mm(200));
        node1.loadTaskPages(mm(200), 2, 10, 0);

        assertThat(calls).as("nothing waited").isEmpty();
        assertThat(sent).extracting(MemoryCall::getOp).containsExactly(MemoryOp.CHARGE_ALLOCATION,
                MemoryOp.RELEASE_KERNEL_PAGES, MemoryOp.RELEASE_MM, MemoryOp.RELEASE_MM);
        assertThat(sent).extracting(MemoryCall::getLockToken).containsExactly(-1L, 7L, 7L, -1L);
        assertThat(sent.get(0).getPfn()).isEqualTo(4100);
        assertThat(sent.get(0).getOrder()).isEqualTo(2);
    }

    @Test
    void aFreeTheOwnerRefusesFailsAsALocalFreeWould() {
        assertThatThrownBy(() -> node1.freePages(machine.tasks().get(100), 4096, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("free: pid 100 does not hold pfn 4096 order 0");
    }
}
