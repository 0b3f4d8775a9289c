package dev.oomsim.bench;

import java.util.OptionalDouble;

/**
 * What a row must achieve: nothing ({@link None}), a limit in the row's own unit ({@link Absolute}, e.g.
 * "≥ 10 M pairs/s"), or a limit on the ratio to the row's baseline ({@link Relative}, e.g. "≥ 0.7× broker produce",
 * "≤ 1.2× broker RTT p99").
 */
public sealed interface Target permits Target.None, Target.Absolute, Target.Relative {

    /** Judges a measured value and, when the row has a baseline, its ratio to it. */
    Verdict judge(double value, OptionalDouble ratio);

    /** The target as shown in the table, given the row's unit and its baseline's label. */
    String describe(String unit, String baselineLabel);

    static Target none() {
        return None.INSTANCE;
    }

    static Target atLeast(double limit) {
        return new Absolute(Bound.AT_LEAST, limit);
    }

    static Target atMost(double limit) {
        return new Absolute(Bound.AT_MOST, limit);
    }

    /** The ratio value / baseline must be at least {@code factor}. */
    static Target atLeastTimesBaseline(double factor) {
        return new Relative(Bound.AT_LEAST, factor);
    }

    /** The ratio value / baseline must be at most {@code factor}. */
    static Target atMostTimesBaseline(double factor) {
        return new Relative(Bound.AT_MOST, factor);
    }

    /** No target: the row is reported for information. */
    enum None implements Target {
        INSTANCE;

        @Override
        public Verdict judge(double value, OptionalDouble ratio) {
            return Verdict.INFO;
        }

        @Override
        public String describe(String unit, String baselineLabel) {
            return "";
        }
    }

    /** A limit in the row's own unit. */
    record Absolute(Bound bound, double limit) implements Target {
        public Absolute {
            if (bound == null) {
                throw new IllegalArgumentException("bound must be set");
            }
            if (!Double.isFinite(limit)) {
                throw new IllegalArgumentException("limit must be finite, was " + limit);
            }
        }

        @Override
        public Verdict judge(double value, OptionalDouble ratio) {
            return bound.holds(value, limit) ? Verdict.PASS : Verdict.FAIL;
        }

        @Override
        public String describe(String unit, String baselineLabel) {
            return bound.symbol() + " " + Figures.format(limit) + " " + unit;
        }
    }

    /** A limit on value / baseline. */
    record Relative(Bound bound, double factor) implements Target {
        public Relative {
            if (bound == null) {
                throw new IllegalArgumentException("bound must be set");
            }
            if (!(factor > 0) || !Double.isFinite(factor)) {
                throw new IllegalArgumentException("factor must be finite and > 0, was " + factor);
            }
        }

        @Override
        public Verdict judge(double value, OptionalDouble ratio) {
            if (ratio.isEmpty()) {
                throw new IllegalStateException("a relative target needs a baseline ratio");
            }
            return bound.holds(ratio.getAsDouble(), factor) ? Verdict.PASS : Verdict.FAIL;
        }

        @Override
        public String describe(String unit, String baselineLabel) {
            return bound.symbol() + " " + Figures.format(factor) + "× " + baselineLabel;
        }
    }
}
