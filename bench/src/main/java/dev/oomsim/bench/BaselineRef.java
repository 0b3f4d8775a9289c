package dev.oomsim.bench;

/**
 * The baseline a row is compared with, and its value in this run: one of the run's shared broker figures
 * ({@link #of(Baseline, double)}), or a baseline a benchmark measured itself beside its row in the same run
 * ({@link #measured}, e.g. the transactional pass-through loop the node agent is judged against).
 *
 * @param label shown in the baseline and target columns, e.g. {@code "broker RTT p99"}
 * @param unit  the baseline's unit, the same as the row's
 * @param value its figure in this run
 */
public record BaselineRef(String label, String unit, double value) {
    public BaselineRef {
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("baseline label must be set");
        }
        if (unit == null || unit.isBlank()) {
            throw new IllegalArgumentException("baseline '" + label + "': unit must be set");
        }
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException("baseline " + label + " must be finite and > 0, was " + value);
        }
    }

    /** One of the run's shared broker baselines. */
    public static BaselineRef of(Baseline baseline, double value) {
        if (baseline == null) {
            throw new IllegalArgumentException("baseline must be set");
        }
        return new BaselineRef(baseline.label(), baseline.unit(), value);
    }

    /** A baseline a benchmark measured itself, in the same run as the row compared with it. */
    public static BaselineRef measured(String label, String unit, double value) {
        return new BaselineRef(label, unit, value);
    }
}
