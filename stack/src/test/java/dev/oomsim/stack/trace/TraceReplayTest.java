package dev.oomsim.stack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskFlag;
import dev.oomsim.stack.load.LoadRecord;
import org.junit.jupiter.api.Test;

/** How a trace becomes the records of a replay, with the stack's answers given by hand. */
class TraceReplayTest {

    private static final String TRACE = String.join("\n",
            "# tracer: nop",
            "            bash-300   [000] .....  10.000000: mm_page_alloc: page=0 pfn=0x100 order=0 migratetype=0"
                    + " gfp_flags=GFP_KERNEL",
            "         python3-301   [001] .....  10.000500: mm_page_alloc: page=0 pfn=0x200 order=2 migratetype=1"
                    + " gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_COMP",
            "            head-300   [000] .....  10.001000: mm_page_alloc: page=0 pfn=0x300 order=0 migratetype=0"
                    + " gfp_flags=GFP_KERNEL",
            "          <idle>-0     [001] ..s1.  10.002000: mm_page_alloc: page=0 pfn=0x400 order=0 migratetype=0"
                    + " gfp_flags=GFP_ATOMIC",
            "     ksoftirqd/1-22    [001] ..s..  10.003000: mm_page_free: page=0 pfn=0x200 order=2",
            "            bash-300   [000] .....  10.004000: mm_page_free: page=0 pfn=0x999 order=0",
            "            bash-300   [000] .....  10.005000: mm_page_free: page=0 pfn=0x100 order=1",
            "            bash-300   [000] .....  10.006000: mm_page_free: page=0 pfn=0x300 order=0",
            "            bash-300   [007] .....  10.007000: mm_page_alloc: page=0 pfn=0x500 order=0 migratetype=0"
                    + " gfp_flags=GFP_KERNEL",
            "            this is not a trace line",
            "");

    /** Answers by hand: python3's block was granted on node 1 at pfn 9000; head's allocation got NULL. */
    private static final class Answers implements ReplayOutcomes {
        final Map<String, AllocOutcome> answers = new HashMap<>();
        final List<String> expected = new ArrayList<>();
        final List<Long> waitedFor = new ArrayList<>();

        @Override
        public void expect(String requestId) {
            expected.add(requestId);
        }

        @Override
        public Optional<AllocOutcome> await(String requestId) {
            return Optional.of(answers.getOrDefault(requestId, new Granted(0, 7000, 0)));
        }

        @Override
        public boolean awaitAnswered(long requests) {
            waitedFor.add(requests);
            return true;
        }
    }

    private static List<LoadRecord> replay(Answers answers, int window) {
        answers.answers.put("replay-5-3", new ReplayOutcomes.Granted(1, 9000, 2));
        answers.answers.put("replay-5-4", new ReplayOutcomes.NotGranted("the model returned NULL"));
        TraceReplay r = new TraceReplay(new BufferedReader(new StringReader(TRACE)),
                new TraceGfp(Profile.MODERN, Arch.X86_64), CpuNodeMap.parse("0:0,1:1"), 5, answers, window);
        List<LoadRecord> out = new ArrayList<>();
        r.forEachRemaining(out::add);
        last = r;
        return out;
    }

    private static TraceReplay last;

    @Test
    void eachPidAndCommIsOneTaskAndKernelContextsAreKernelThreads() {
        List<LoadRecord> records = replay(new Answers(), 100);
        List<TaskEvent> spawns = records.stream().filter(r -> r instanceof LoadRecord.Task)
                .map(r -> ((LoadRecord.Task) r).event()).toList();

        assertThat(spawns).extracting(TaskEvent::getPid).containsExactly(300, 301, TraceReplay.EXTRA_PID_BASE,
                TraceReplay.EXTRA_PID_BASE + 1);
        assertThat(spawns).extracting(TaskEvent::getComm).containsExactly("bash", "python3", "head", "<idle>");
        assertThat(spawns.get(1).getMmId()).isEqualTo(301);
        assertThat(spawns.get(3).getFlags()).containsExactly(TaskFlag.KTHREAD);
        assertThat(spawns.get(3).getMmId()).isNull();
    }

    @Test
    void aTracePidTheStackAlreadyHasGetsAnotherPid() {
        Answers answers = new Answers();
        TraceReplay r = new TraceReplay(new BufferedReader(new StringReader(TRACE)),
                new TraceGfp(Profile.MODERN, Arch.X86_64), CpuNodeMap.parse("0:0,1:1"), 5, answers, 100)
                .avoidPids(List.of(301, TraceReplay.EXTRA_PID_BASE));
        List<Integer> pids = new ArrayList<>();
        r.forEachRemaining(x -> {
            if (x instanceof LoadRecord.Task t) {
                pids.add(t.event().getPid());
            }
        });

        assertThat(pids).containsExactly(300, TraceReplay.EXTRA_PID_BASE + 1, TraceReplay.EXTRA_PID_BASE + 2,
                TraceReplay.EXTRA_PID_BASE + 3);
    }

    @Test
    void aFreeNamesTheModelsBlockAndTheAllocatingTaskWhoeverFreedIt() {
        List<AllocRequest> requests = requests(replay(new Answers(), 100));

        AllocRequest free = requests.stream().filter(r -> r.getOp() == AllocOp.FREE).findFirst().orElseThrow();
        assertThat(free.getRequestId()).isEqualTo("replay-5-6");
        assertThat(free.getPid()).isEqualTo(301);
        assertThat(free.getPreferredNode()).isEqualTo(1);
        assertThat(free.getPfn()).isEqualTo(9000L);
        assertThat(free.getOrder()).isEqualTo(2);
        assertThat(requests).filteredOn(r -> r.getOp() == AllocOp.FREE).hasSize(1);
        assertThat(requests).filteredOn(r -> r.getOp() == AllocOp.ALLOC).extracting(AllocRequest::getPreferredNode)
                .containsExactly(0, 1, 0, 1);
    }

    @Test
    void freesThatCannotBeReplayedAreCountedWithTheirLines() {
        replay(new Answers(), 100);

        assertThat(last.freesOfUnseenPages().lines()).containsExactly(7L);
        assertThat(last.freesOfOtherOrder().lines()).containsExactly(8L);
        assertThat(last.freesNotGranted().lines()).containsExactly(9L);
        assertThat(last.onCpusWithoutNode().lines()).containsExactly(10L);
        assertThat(last.summary().unparsable()).extracting(Unparsable::line).containsExactly(11L);
        assertThat(last.allocations()).isEqualTo(4);
        assertThat(last.frees()).isEqualTo(1);
    }

    @Test
    void recordsAreTimedFromTheFirstEvent() {
        List<LoadRecord> records = replay(new Answers(), 100);

        assertThat(records.get(0).atNanos()).isZero();
        assertThat(records.stream().filter(r -> r instanceof LoadRecord.Request q
                && q.request().getRequestId().equals("replay-5-6")).findFirst().orElseThrow().atNanos())
                .isEqualTo(3_000_000L);
    }

    @Test
    void aRequestWaitsUntilTheOnesBeforeItLeaveAtMostTheWindowUnanswered() {
        Answers answers = new Answers();
        replay(answers, 2);

        assertThat(answers.waitedFor).containsExactly(1L, 2L, 3L);
    }

    @Test
    void theSameTraceAndSeedGiveTheSameRecords() {
        assertThat(replay(new Answers(), 100)).isEqualTo(replay(new Answers(), 100));
    }

    private static List<AllocRequest> requests(List<LoadRecord> records) {
        return records.stream().filter(r -> r instanceof LoadRecord.Request).map(r -> ((LoadRecord.Request) r)
                .request()).toList();
    }
}
