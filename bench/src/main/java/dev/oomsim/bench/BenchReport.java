package dev.oomsim.bench;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one bench run: where it ran, how, and every row (baselines first, then the registered benchmarks in
 * registry order).
 */
public record BenchReport(MachineInfo machine, BenchSettings settings, List<BenchRow> rows, Duration elapsed) {

    public BenchReport {
        rows = List.copyOf(rows);
    }

    public long failures() {
        return rows.stream().filter(r -> r.verdict() == Verdict.FAIL).count();
    }
}
