package dev.oomsim.agent.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.kernel.task.TaskFlag;
import dev.oomsim.schemas.TaskStatus;
import org.junit.jupiter.api.Test;

/** Two agents' copies of the task table stay equal through the statuses one sends and the other applies. */
class TaskTableSyncTest {

    private static Scenario machine() throws Exception {
        return ScenarioParser.parse(new ObjectMapper(new YAMLFactory()).readValue("""
                nodes:
                  - id: 0
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 2000}]
                  - id: 1
                    zones: [{type: NORMAL, managed_pages: 4096, free_pages: 2000}]
                tasks:
                  - {pid: 100, comm: a, rss: {0: {anon: 100}}}
                  - {pid: 101, comm: a-thread, mm: 100}
                  - {pid: 200, comm: b, rss: {1: {anon: 100}}}
                """, Object.class));
    }

    @Test
    void whatOneCopyChangesTheOtherFollowsAndNothingEchoesBack() throws Exception {
        Machine here = new ScenarioRunner(machine()).machine();
        Machine there = new ScenarioRunner(machine()).machine();
        TaskTableSync hereSync = new TaskTableSync(here.tasks(), here.memory(0));
        TaskTableSync thereSync = new TaskTableSync(there.tasks(), there.memory(1));
        assertThat(hereSync.drainChanges()).as("a booted table has nothing to send").isEmpty();

        Task victim = here.tasks().get(100);
        victim.sendSigkill();
        victim.set(TaskFlag.MEMDIE, true);
        victim.setKilled();
        here.tasks().get(200).setOomScoreAdj(500);
        here.exitTask(victim);
        here.exitTask(here.tasks().get(101)); // the mm's other user: its last user exits
        List<TaskStatus> sent = hereSync.drainChanges();

        assertThat(sent).extracting(TaskStatus::getPid).containsExactlyInAnyOrder(100, 101, 200);
        assertThat(hereSync.drainChanges()).as("drained once").isEmpty();
        thereSync.apply(sent, "test");
        assertThat(thereSync.drainChanges()).as("applied changes are not sent back").isEmpty();
        for (Task t : here.tasks().all()) {
            assertThat(TaskTableSync.status(there.tasks().get(t.pid()))).as("pid %d", t.pid())
                    .isEqualTo(TaskTableSync.status(t));
        }
        assertThat(there.tasks().get(101).mm()).as("the mm's last user exited: released there too").isNull();
        assertThat(there.tasks().get(200).oomScoreAdj()).isEqualTo(500);
    }

    /**
     * The oom_reaper's state crosses too: the victim's timer ({@code queue_oom_reaper} on the node that killed it), so
     * whichever node runs the event after it expires reaps; then the reap (timer gone, the mm's MMF_OOM_SKIP, on every
     * task of the mm).
     */
    @Test
    void theReaperTimerAndTheReapedMmFollow() throws Exception {
        Machine here = new ScenarioRunner(machine()).machine();
        Machine there = new ScenarioRunner(machine()).machine();
        TaskTableSync hereSync = new TaskTableSync(here.tasks(), here.memory(0));
        TaskTableSync thereSync = new TaskTableSync(there.tasks(), there.memory(1));

        here.tasks().get(100).setOomReapAtMs(2000);
        thereSync.apply(hereSync.drainChanges(), "kill");
        assertThat(there.tasks().get(100).oomReapAtMs()).isEqualTo(2000);

        Task reaped = there.tasks().get(100);
        reaped.setOomReapAtMs(Task.NO_REAP);
        reaped.mm().setOomSkip(true);
        there.tasks().get(101).markChanged();
        List<TaskStatus> sent = thereSync.drainChanges();
        assertThat(sent).extracting(TaskStatus::getPid).containsExactly(100, 101);
        hereSync.apply(sent, "reap");
        assertThat(here.tasks().get(100).oomReapAtMs()).isEqualTo(Task.NO_REAP);
        assertThat(here.tasks().get(100).mm().oomSkip()).isTrue();
    }

    @Test
    void aStatusOfAnUnknownPidIsRefusedWholeAndChangesNothing() throws Exception {
        Machine there = new ScenarioRunner(machine()).machine();
        TaskTableSync sync = new TaskTableSync(there.tasks(), there.memory(1));
        TaskStatus dead200 = TaskStatus.newBuilder(TaskTableSync.status(there.tasks().get(200))).setAlive(false)
                .build();
        TaskStatus unknown = TaskStatus.newBuilder(dead200).setPid(4242).build();

        assertThatThrownBy(() -> sync.apply(List.of(dead200, unknown), "task sync of request r"))
                .isInstanceOf(Rejected.class).hasMessage("task sync of request r names unknown pid 4242");
        assertThat(there.tasks().get(200).alive()).isTrue();
    }
}
