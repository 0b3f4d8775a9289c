package dev.oomsim.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import dev.oomsim.agent.runtime.RequestScheduler.Completed;
import dev.oomsim.agent.runtime.RequestScheduler.Failed;
import dev.oomsim.agent.runtime.RequestScheduler.Step;
import dev.oomsim.agent.runtime.RequestScheduler.Suspended;
import org.junit.jupiter.api.Test;

class RequestSchedulerTest {

    @Test
    void aRequestThatNeverWaitsCompletesInsideStart() {
        try (var scheduler = new RequestScheduler<String, Integer, String>("t")) {
            Step<String, String> step = scheduler.start("r1", s -> "done");
            assertThat(step).isEqualTo(new Completed<String, String>("r1", "done"));
            assertThat(scheduler.suspendedCount()).isZero();
        }
    }

    @Test
    void aRequestSuspendsAtEachCallAndResumesWithTheAnswer() {
        try (var scheduler = new RequestScheduler<String, Integer, Integer>("t")) {
            Step<String, Integer> first = scheduler.start("r1", s -> s.await("walk node 1") + s.await("walk node 2"));
            assertThat(first).isEqualTo(new Suspended<String, Integer>("r1", "walk node 1"));
            assertThat(scheduler.isSuspended("r1")).isTrue();

            Step<String, Integer> second = scheduler.resume("r1", 40);
            assertThat(second).isEqualTo(new Suspended<String, Integer>("r1", "walk node 2"));

            Step<String, Integer> last = scheduler.resume("r1", 2);
            assertThat(last).isEqualTo(new Completed<String, Integer>("r1", 42));
            assertThat(scheduler.isSuspended("r1")).isFalse();
        }
    }

    @Test
    void onlyOneRequestRunsAtATimeSoSharedStateSeesADeterministicOrder() {
        List<String> trace = new ArrayList<>();
        try (var scheduler = new RequestScheduler<String, String, String>("t")) {
            scheduler.start("a", s -> {
                trace.add("a1");
                trace.add("a got " + s.await("x"));
                trace.add("a2");
                return "a";
            });
            scheduler.start("b", s -> {
                trace.add("b1");
                trace.add("b got " + s.await("y"));
                return "b";
            });
            scheduler.resume("b", "Y");
            scheduler.resume("a", "X");
        }
        assertThat(trace).containsExactly("a1", "b1", "b got Y", "a got X", "a2");
    }

    @Test
    void aRequestRunInlineRunsOnTheCallerBetweenTheOthersAndCannotWait() {
        List<String> trace = new ArrayList<>();
        Thread caller = Thread.currentThread();
        try (var scheduler = new RequestScheduler<String, String, String>("t")) {
            scheduler.start("a", s -> {
                trace.add("a1");
                trace.add("a got " + s.await("x"));
                return "a";
            });
            Step<String, String> inline = scheduler.runInline("b", s -> {
                trace.add("b on caller " + (Thread.currentThread() == caller));
                return "b";
            });
            assertThat(inline).isEqualTo(new Completed<String, String>("b", "b"));
            scheduler.resume("a", "X");

            Step<String, String> waits = scheduler.runInline("c", s -> s.await("y"));
            assertThat(waits).isInstanceOfSatisfying(Failed.class,
                    f -> assertThat(f.error()).hasMessage("request c ran inline and cannot wait for y"));
            assertThat(scheduler.suspendedCount()).isZero();
        }
        assertThat(trace).containsExactly("a1", "b on caller true", "a got X");
    }

    @Test
    void anExceptionInARequestIsReportedAsFailedAndTheSchedulerGoesOn() {
        try (var scheduler = new RequestScheduler<String, Integer, Integer>("t")) {
            Step<String, Integer> step = scheduler.start("bad", s -> {
                throw new IllegalArgumentException("order 12 > 10");
            });
            assertThat(step).isInstanceOfSatisfying(Failed.class,
                    f -> assertThat(f.error()).hasMessage("order 12 > 10"));
            assertThat(scheduler.start("good", s -> 1)).isInstanceOf(Completed.class);
        }
    }

    @Test
    void resumingARequestThatDoesNotWaitIsABug() {
        try (var scheduler = new RequestScheduler<String, Integer, Integer>("t")) {
            assertThatThrownBy(() -> scheduler.resume("ghost", 1)).hasMessageContaining("no suspended request ghost");
            scheduler.start("r", s -> s.await("c"));
            assertThatThrownBy(() -> scheduler.start("r", s -> 0)).hasMessageContaining("already running");
        }
    }

    @Test
    void closeAbandonsSuspendedRequests() throws Exception {
        var scheduler = new RequestScheduler<String, Integer, Integer>("t");
        scheduler.start("r", s -> s.await("never answered"));
        scheduler.close();
        assertThat(scheduler.suspendedCount()).isZero();
        assertThatThrownBy(() -> scheduler.start("s", s -> 0)).hasMessageContaining("closed");
    }
}
