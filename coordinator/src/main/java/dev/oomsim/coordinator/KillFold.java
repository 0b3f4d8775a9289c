package dev.oomsim.coordinator;

import java.util.TreeMap;

import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.KillPressure;

/**
 * Kills of one node or the cluster: total, last victim, by constraint, and the event-time windows of
 * docs/coordinator.md ("Kills"): one-minute tumbling windows, and the five-minute hopping window advancing by one
 * minute, which is the sum of the newest five closed minutes. Fields only: stored as JSON.
 */
final class KillFold {

    static final long MINUTE_MS = 60_000;

    long kills;
    Integer lastVictimPid;
    String lastVictimComm;
    TreeMap<String, Long> byConstraint = new TreeMap<>();
    TumblingCounts minutes = new TumblingCounts(MINUTE_MS, 1, 5);
    long streamTimeMs = Long.MIN_VALUE;
    long lastVictimAtMs = Long.MIN_VALUE;
    long lateDropped;

    /** Folds one kill at record time {@code ts}; false when it came after its minute closed (late). */
    boolean fold(long ts, KillEvent kill, long graceMs) {
        kills++;
        if (ts >= lastVictimAtMs) {
            lastVictimAtMs = ts;
            lastVictimPid = kill.getVictimPid();
            lastVictimComm = kill.getVictimComm().toString();
        }
        byConstraint.merge(kill.getConstraint().name(), 1L, Long::sum);
        boolean inTime = minutes.add(ts, 1);
        if (!inTime) {
            lateDropped++;
        }
        streamTimeMs = Math.max(streamTimeMs, ts);
        minutes.advance(streamTimeMs, graceMs);
        return inTime;
    }

    KillPressure view() {
        return KillPressure.newBuilder()
                .setLastMinute((long) minutes.lastClosed()[0])
                .setPerMinuteOver5m(minutes.sumClosed(5)[0] / 5)
                .setByConstraint(new TreeMap<>(byConstraint))
                .setLateDropped(lateDropped)
                .build();
    }
}
