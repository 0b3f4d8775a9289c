package dev.oomsim.bench;

import java.util.Map;
import java.util.Optional;

/**
 * How one JMH result becomes a {@link BenchRow}.
 *
 * @param method   the {@code @Benchmark} method's name
 * @param params   the {@code @Param} values of the result this row reports (empty when the benchmark has none)
 * @param rowName  the row's name in the table
 * @param unit     the row's unit; {@code null} keeps JMH's score unit (e.g. {@code ns/op}, {@code ops/s})
 * @param baseline the baseline the score is divided by, if any (it must be in the same unit as the score)
 * @param target   what the score must achieve
 */
public record JmhRow(String method, Map<String, String> params, String rowName, String unit,
                     Optional<Baseline> baseline, Target target) {

    public JmhRow {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("JMH row needs the @Benchmark method name");
        }
        if (rowName == null || rowName.isBlank()) {
            throw new IllegalArgumentException("JMH row for " + method + " needs a row name");
        }
        params = Map.copyOf(params);
        if (baseline == null || target == null) {
            throw new IllegalArgumentException("JMH row " + rowName + ": baseline and target must be non-null");
        }
        if (target instanceof Target.Relative && baseline.isEmpty()) {
            throw new IllegalArgumentException("JMH row " + rowName + ": a relative target needs a baseline");
        }
    }

    /** A row for {@code method}'s score in JMH's unit, no params, no baseline. */
    public static JmhRow of(String method, String rowName, Target target) {
        return new JmhRow(method, Map.of(), rowName, null, Optional.empty(), target);
    }

    /** A row for {@code method}'s score divided by {@code baseline}. */
    public static JmhRow against(String method, String rowName, Baseline baseline, Target target) {
        return new JmhRow(method, Map.of(), rowName, null, Optional.of(baseline), target);
    }

    public JmhRow withUnit(String newUnit) {
        return new JmhRow(method, params, rowName, newUnit, baseline, target);
    }

    public JmhRow withParams(Map<String, String> newParams) {
        return new JmhRow(method, newParams, rowName, unit, baseline, target);
    }

    /** The row for a JMH score and its 99.9 % error of this benchmark. */
    public BenchRow toRow(double score, double scoreError, String scoreUnit, Baselines baselines) {
        String rowUnit = unit != null ? unit : scoreUnit;
        return baseline
                .map(b -> BenchRow.against(rowName, score, rowUnit, baselines, b, target))
                .orElseGet(() -> BenchRow.of(rowName, score, rowUnit, target))
                .withError(scoreError);
    }
}
