package dev.oomsim.kernel.scenario;

import static dev.oomsim.kernel.scenario.ScenarioFilesTest.scenario;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import dev.oomsim.kernel.image.MachineImage;
import dev.oomsim.kernel.oom.OomOutcome;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A node agent that restores an image and replays what follows ends where the one that never crashed does: for every
 * scenario file and every event index i (all of them while a file has at most {@link #ALL_INDICES_UP_TO} events;
 * beyond, the first, the last, every index just after an OOM kill and a stride between), runner A runs events
 * [0, i), its image is restored into runner B freshly booted from the same file, and both run events [i, n): each
 * event's JSON, the final state JSON and the final images (free lists in list order, every task, mm and counter) are
 * the same. Taking the image changes nothing: A's results are those of an uninterrupted run.
 */
class ImageRestoreDifferentialTest {
    private static final int ALL_INDICES_UP_TO = 64;
    private static final int STRIDE = 16;

    static Stream<String> scenarios() throws IOException {
        return ScenarioFilesTest.scenarios();
    }

    private static String json(EventResult r) {
        return JsonText.write(r.toTree());
    }

    private static boolean killed(EventResult r) {
        List<OomOutcome> calls = List.of();
        if (r instanceof EventResult.Alloc a) {
            calls = a.oomCalls();
        } else if (r instanceof EventResult.Charge c) {
            calls = c.oomCalls();
        }
        return calls.stream().anyMatch(o -> !o.killed().isEmpty());
    }

    /** The indices to restore at: 0..n inclusive (n: after the last event), sampled past {@link #ALL_INDICES_UP_TO}. */
    static List<Integer> restorePoints(List<EventResult> uninterrupted, int events) {
        TreeSet<Integer> points = new TreeSet<>();
        for (int i = 0; i <= events; i++) {
            if (events <= ALL_INDICES_UP_TO || i == 0 || i >= events - 1 || i % STRIDE == 0) {
                points.add(i);
            }
        }
        for (EventResult r : uninterrupted) {
            if (killed(r)) {
                points.add(r.event() + 1);
            }
        }
        return new ArrayList<>(points);
    }

    /** Runs events from {@code from} until {@code to} or a panic, as {@link ScenarioRunner#run} does. */
    private static List<String> runEvents(ScenarioRunner runner, Scenario sc, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to && !runner.machine().panicked(); i++) {
            out.add(json(runner.runEvent(i, sc.events().get(i), sc.clockMs(i))));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void restoringAnImageAtAnyEventAndReplayingTheRestGivesTheUninterruptedRun(String name) throws IOException {
        Scenario sc = scenario(name);
        int n = sc.events().size();
        ScenarioRun uninterrupted = ScenarioRunner.run(sc);
        List<String> expected = uninterrupted.results().stream().map(ImageRestoreDifferentialTest::json).toList();
        String expectedState = JsonText.write(uninterrupted.state());

        for (int i : restorePoints(uninterrupted.results(), n)) {
            ScenarioRunner a = new ScenarioRunner(sc);
            List<String> aResults = new ArrayList<>(runEvents(a, sc, 0, i));
            MachineImage image = a.captureImage(node -> true);

            ScenarioRunner b = new ScenarioRunner(sc);
            b.restoreImage(image);
            assertThat(b.captureImage(node -> true)).as("%s: image restored at %d", name, i).isEqualTo(image);

            int next = aResults.size();
            aResults.addAll(runEvents(a, sc, next, n));
            List<String> bResults = runEvents(b, sc, next, n);
            assertThat(aResults).as("%s: runner A, image taken at %d", name, i).isEqualTo(expected);
            assertThat(bResults).as("%s: runner B, restored at %d", name, i)
                    .isEqualTo(expected.subList(next, expected.size()));
            assertThat(JsonText.write(b.stateReport())).as("%s: state, restored at %d", name, i)
                    .isEqualTo(JsonText.write(a.stateReport())).isEqualTo(expectedState);
            assertThat(b.captureImage(node -> true)).as("%s: final image, restored at %d", name, i)
                    .isEqualTo(a.captureImage(node -> true));
        }
    }
}
