package dev.oomsim.cli;

import static dev.oomsim.cli.SimulateCommandTest.oomsim;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.oomsim.cli.SimulateCommandTest.Result;
import org.junit.jupiter.api.Test;

/** {@code oomsim demo}, the README's main command, end to end on its own embedded broker and four agents. */
class DemoCommandIT {

    @Test
    void theDemoShowsKillsWithTheirExplanationEndsWithThePressureTableAndExitsZero() {
        long started = System.nanoTime();
        Result r = oomsim("demo", "--quiet");
        double seconds = (System.nanoTime() - started) / 1e9;

        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).filteredOn(l -> l.startsWith("Killed process 30")).hasSize(3);
        assertThat(lines).filteredOn(l -> l.startsWith("  why: killed 30") && l.contains("(leaky-worker), the"
                + " highest badness") && l.contains("top candidates")).hasSize(3);
        assertThat(r.out()).contains("Out of memory: Kill process 300 (leaky-worker)")
                .contains("Killed process 301 (leaky-worker)").contains("Killed process 302 (leaky-worker)");
        int table = lines.indexOf(lines.stream().filter(l -> l.startsWith("scope ")).findFirst().orElseThrow());
        assertThat(lines.subList(table + 1, table + 6)).extracting(l -> l.split(" +")[0])
                .containsExactly("node-0", "node-1", "node-2", "node-3", "cluster");
        assertThat(lines.get(table + 5)).contains("302 (leaky-worker)");
        assertThat(lines.get(lines.size() - 1)).matches("oomsim demo: done in [0-9.]+ s, 3 OOM kill\\(s\\)");
        assertThat(r.err()).as("no progress bar when stderr is not a terminal").doesNotContain("\r");
        assertThat(seconds).as("end to end, seconds").isLessThan(60);
    }
}
