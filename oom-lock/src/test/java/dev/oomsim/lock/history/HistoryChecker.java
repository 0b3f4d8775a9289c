package dev.oomsim.lock.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a lock history, written independently of the lock's code (it shares no class with
 * {@code dev.oomsim.lock}): its own fold of the raw records, in offset order, where a claim is
 * live while the log time is at most its append time + lease, and the holder is the live claim
 * with the lowest offset.
 *
 * <p>It proves, for the grants the contenders recorded:
 * <ol>
 *   <li>every granted token was the holder at its own offset, under the key that claimed;</li>
 *   <li>no two acquisitions overlap in the log: a grant holds from its token up to (not including)
 *       the first later record that is its key's tombstone or new claim, or whose log time passes its
 *       deadline; the next grant's token is not below that end;</li>
 *   <li>tokens strictly increase in the order the grants were acquired;</li>
 *   <li>when all contenders share one monotonic clock: no two holders' intervals overlap in time;</li>
 *   <li>a recorded release offset is where the history says the grant ended, unless its lease ran out first.</li>
 * </ol>
 */
public final class HistoryChecker {

    private HistoryChecker() {
    }

    /** The outcome: violations (empty when the history is correct) and the reference fold's holder changes. */
    public record Result(List<String> violations, int holderChanges, int records) {
        public boolean ok() {
            return violations.isEmpty();
        }
    }

    private record Entry(long offset, long timestampMs, long leaseMs) {
        long deadline() {
            return timestampMs + leaseMs;
        }
    }

    public static Result check(List<RawRecord> history, List<GrantInterval> grants, boolean sameClock) {
        List<RawRecord> records = new ArrayList<>(history);
        records.sort(Comparator.comparingLong(RawRecord::offset));
        Map<Long, Integer> indexOfOffset = new HashMap<>();
        Map<Long, Long> holderAtOffset = new HashMap<>();
        Map<String, Entry> current = new HashMap<>();
        List<String> violations = new ArrayList<>();
        long previousHolder = -1;
        int holderChanges = 0;
        for (int i = 0; i < records.size(); i++) {
            RawRecord r = records.get(i);
            indexOfOffset.put(r.offset(), i);
            if (r.isTombstone()) {
                current.remove(r.key());
            } else {
                current.put(r.key(), new Entry(r.offset(), r.timestampMs(), r.leaseMs()));
            }
            long holder = -1;
            for (Entry e : current.values()) {
                if (r.timestampMs() <= e.deadline() && (holder < 0 || e.offset() < holder)) {
                    holder = e.offset();
                }
            }
            holderAtOffset.put(r.offset(), holder);
            if (holder >= 0 && holder != previousHolder) {
                holderChanges++;
            }
            previousHolder = holder;
        }

        List<GrantInterval> byToken = new ArrayList<>(grants);
        byToken.sort(Comparator.comparingLong(GrantInterval::token));
        long previousEnd = -1;
        String previousDescription = null;
        for (GrantInterval g : byToken) {
            Integer index = indexOfOffset.get(g.token());
            if (index == null) {
                violations.add("grant " + g + ": no record at its token's offset");
                continue;
            }
            RawRecord claim = records.get(index);
            if (claim.isTombstone() || !claim.key().equals(g.key())) {
                violations.add("grant " + g + ": the record at its offset is not its claim: " + claim);
                continue;
            }
            long holder = holderAtOffset.get(g.token());
            if (holder != g.token()) {
                violations.add("grant " + g + ": the holder at its offset was " + holder);
            }
            // A grant holds over offsets [token, end): at its end record it no longer holds.
            if (previousDescription != null && g.token() < previousEnd) {
                violations.add("grant " + g + " overlaps " + previousDescription + " which ended at offset "
                        + previousEnd);
            }
            long deadline = claim.timestampMs() + claim.leaseMs();
            long end = Long.MAX_VALUE;
            boolean expired = false;
            for (int j = index + 1; j < records.size(); j++) {
                RawRecord r = records.get(j);
                if (r.key().equals(g.key())) {
                    end = r.offset();
                    break;
                }
                if (r.timestampMs() > deadline) {
                    end = r.offset();
                    expired = true;
                    break;
                }
            }
            if (g.releaseOffset() >= 0 && !expired && g.releaseOffset() != end) {
                violations.add("grant " + g + ": released at " + g.releaseOffset() + " but the history ends it at "
                        + end);
            }
            previousEnd = end;
            previousDescription = g.toString();
        }

        List<GrantInterval> byTime = new ArrayList<>(grants);
        byTime.sort(Comparator.comparingLong(GrantInterval::acquiredAtNanos));
        for (int i = 1; i < byTime.size(); i++) {
            GrantInterval before = byTime.get(i - 1);
            GrantInterval after = byTime.get(i);
            if (sameClock && after.token() <= before.token()) {
                violations.add("tokens do not increase in acquisition order: " + before + " then " + after);
            }
            if (sameClock && after.acquiredAtNanos() < before.endNanos()) {
                violations.add("holders overlap in time: " + before + " and " + after);
            }
        }
        return new Result(violations, holderChanges, records.size());
    }
}
