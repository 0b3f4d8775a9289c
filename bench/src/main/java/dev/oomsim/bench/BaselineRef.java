package dev.oomsim.bench;

/** The baseline a row is compared with, and its value in this run. */
public record BaselineRef(Baseline baseline, double value) {
    public BaselineRef {
        if (baseline == null) {
            throw new IllegalArgumentException("baseline must be set");
        }
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException("baseline " + baseline + " must be finite and > 0, was " + value);
        }
    }
}
