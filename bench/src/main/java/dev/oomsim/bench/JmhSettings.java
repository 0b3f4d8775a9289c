package dev.oomsim.bench;

import java.time.Duration;

/** JMH iteration counts and times shared by every JMH benchmark of a run. */
public record JmhSettings(int warmupIterations, Duration warmupTime, int measurementIterations,
        Duration measurementTime, int forks) {

    public JmhSettings {
        if (warmupIterations < 0) {
            throw new IllegalArgumentException("warmupIterations must be >= 0, was " + warmupIterations);
        }
        if (measurementIterations < 1) {
            throw new IllegalArgumentException("measurementIterations must be >= 1, was " + measurementIterations);
        }
        if (forks < 1) {
            throw new IllegalArgumentException("forks must be >= 1 (benchmarks run in a forked JVM), was " + forks);
        }
        if (warmupTime == null || warmupTime.isNegative() || measurementTime == null || measurementTime.isNegative()
                || measurementTime.isZero()) {
            throw new IllegalArgumentException("warmupTime must be >= 0 and measurementTime > 0, were " + warmupTime
                    + ", " + measurementTime);
        }
    }

    public static JmhSettings quick() {
        return new JmhSettings(1, Duration.ofMillis(200), 2, Duration.ofMillis(200), 1);
    }

    public static JmhSettings full() {
        return new JmhSettings(3, Duration.ofSeconds(1), 5, Duration.ofSeconds(1), 1);
    }
}
