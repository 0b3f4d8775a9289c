package dev.oomsim.stack.load;

/**
 * How fast {@link LoadProducer} sends a load's records: as fast as the broker takes them, at most a rate (a
 * {@link TokenBucket}), or at each record's own {@link LoadRecord#atNanos() time} scaled by a speed (a trace replay:
 * record {@code r} goes out at {@code start + r.atNanos() / speed} on the producer's clock, so waiting never drifts).
 */
public sealed interface Pacing {

    /** Every record as soon as the previous one is sent. */
    record Unpaced() implements Pacing {
    }

    /** At most {@code perSecond} records a second. */
    record Rate(double perSecond) implements Pacing {
        public Rate {
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("rate must be a positive number per second, got " + perSecond);
            }
        }
    }

    /** Each record at its own time divided by {@code speed} (2: twice as fast as recorded). */
    record Timestamps(double speed) implements Pacing {
        public Timestamps {
            if (!(speed > 0) || Double.isInfinite(speed)) {
                throw new IllegalArgumentException("speed must be a positive number, got " + speed);
            }
        }
    }

    /** {@link Rate} for a positive rate, else {@link Unpaced}. */
    static Pacing rate(double perSecond) {
        return perSecond > 0 ? new Rate(perSecond) : new Unpaced();
    }
}
