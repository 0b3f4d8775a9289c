package dev.oomsim.bench;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One line of the benchmark table: a measured value, optionally beside a baseline of the same run, and the target it
 * is judged against. The ratio is value / baseline value (same unit); the verdict follows from the target.
 *
 * @param name     what was measured, e.g. {@code "order-0 alloc+free pairs, 16 GiB zone (JMH)"}
 * @param value    the measured figure, in {@code unit}
 * @param unit     e.g. {@code rec/s}, {@code ns/op}, {@code ms}
 * @param baseline the broker figure it is compared with, if any
 * @param target   what it must achieve
 * @param error    half-width of the value's confidence interval, when the measurement gives one (JMH: 99.9 %)
 */
public record BenchRow(String name, double value, String unit, Optional<BaselineRef> baseline, Target target,
                       OptionalDouble error) {

    public BenchRow {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("row name must not be blank");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("row '" + name + "': value must be finite, was " + value);
        }
        if (unit == null || unit.isBlank()) {
            throw new IllegalArgumentException("row '" + name + "': unit must not be blank");
        }
        if (baseline == null || target == null || error == null) {
            throw new IllegalArgumentException("row '" + name + "': baseline, target and error must be non-null");
        }
        if (error.isPresent() && !(error.getAsDouble() >= 0)) {
            throw new IllegalArgumentException("row '" + name + "': error must be >= 0, was " + error.getAsDouble());
        }
        if (target instanceof Target.Relative && baseline.isEmpty()) {
            throw new IllegalArgumentException("row '" + name + "': a relative target " + target + " needs a baseline");
        }
    }

    /** A row without a baseline. */
    public static BenchRow of(String name, double value, String unit, Target target) {
        return new BenchRow(name, value, unit, Optional.empty(), target, OptionalDouble.empty());
    }

    /** A row for information only: no baseline, no target. */
    public static BenchRow info(String name, double value, String unit) {
        return of(name, value, unit, Target.none());
    }

    /** A row compared with one of this run's baselines. */
    public static BenchRow against(String name, double value, String unit, Baselines baselines, Baseline baseline,
            Target target) {
        return new BenchRow(name, value, unit, Optional.of(baselines.ref(baseline)), target, OptionalDouble.empty());
    }

    /**
     * A row compared with a baseline its benchmark measured in the same run ({@link BaselineRef#measured}); the
     * baseline must be in the row's unit.
     */
    public static BenchRow against(String name, double value, String unit, BaselineRef baseline, Target target) {
        if (baseline != null && !baseline.unit().equals(unit)) {
            throw new IllegalArgumentException("row '" + name + "' in " + unit + " cannot be compared with "
                    + baseline.label() + " in " + baseline.unit());
        }
        return new BenchRow(name, value, unit, Optional.ofNullable(baseline), target, OptionalDouble.empty());
    }

    /** The same row with a confidence interval half-width (NaN, as JMH gives for a single iteration, means none). */
    public BenchRow withError(double halfWidth) {
        return new BenchRow(name, value, unit, baseline, target,
                Double.isFinite(halfWidth) ? OptionalDouble.of(halfWidth) : OptionalDouble.empty());
    }

    /** value / baseline value, when the row has a baseline. */
    public OptionalDouble ratio() {
        return baseline.map(b -> OptionalDouble.of(value / b.value())).orElse(OptionalDouble.empty());
    }

    public Verdict verdict() {
        return target.judge(value, ratio());
    }

    /** The target as printed, e.g. {@code "≥ 0.7× broker produce"}. */
    public String targetText() {
        return target.describe(unit, baseline.map(b -> b.label()).orElse(""));
    }
}
