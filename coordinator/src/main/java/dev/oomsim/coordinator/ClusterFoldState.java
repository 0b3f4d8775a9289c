package dev.oomsim.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** What the cluster's fold keeps besides its view: kills, the lock fold's claims and counts, dead letters. JSON. */
final class ClusterFoldState {

    KillFold kills = new KillFold();
    long recentKills;

    /** The lock fold's claims (LockState's whole state), to rebuild it by replay after a restart. */
    List<ClaimSnapshot> claims = new ArrayList<>();
    long lockLogTimeMs = Long.MIN_VALUE;
    long lockLastOffset = -1;
    long grants;
    long takeovers;
    long trylockFailures;
    TumblingCounts failures;
    String holderKey;
    String holderContender;
    String holderIncarnation;
    long holderToken = -1;
    long holderSinceMs;
    long lastHoldMs;
    long maxHoldMs;
    long holds;
    long holdSumMs;

    /** Dead letters by source topic, then reason. */
    TreeMap<String, TreeMap<String, Tally>> deadLetters = new TreeMap<>();

    ClusterFoldState() {
    }

    ClusterFoldState(long rateWindowMs) {
        this.failures = new TumblingCounts(rateWindowMs, 1, 1);
    }

    /** One claim of the lock fold. */
    static final class ClaimSnapshot {
        String lock;
        String contender;
        String incarnation;
        String requestId;
        long rank;
        long appendTimeMs;
        long leaseMs;
    }

    /** One dead-letter tally. */
    static final class Tally {
        long count;
        long lastAtMs;
        String lastDetail;
    }
}
