package dev.oomsim.lock.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The checker must catch what it claims to catch: a checker that never fails proves nothing. */
class HistoryCheckerTest {

    private static final String A = "oom_lock/a/1";
    private static final String B = "oom_lock/b/1";

    private static RawRecord claim(long offset, long t, String key) {
        return new RawRecord(offset, t, key, "r" + offset, 100L);
    }

    private static RawRecord tombstone(long offset, long t, String key) {
        return new RawRecord(offset, t, key, null, null);
    }

    @Test
    void aCleanHandOverPasses() {
        List<RawRecord> history = List.of(claim(0, 1000, A), claim(1, 1001, B), tombstone(2, 1002, B),
                tombstone(3, 1003, A), claim(4, 1004, B), tombstone(5, 1005, B));
        List<GrantInterval> grants = List.of(new GrantInterval(A, 0, 10, 20, 3), new GrantInterval(B, 4, 30, 40, 5));

        HistoryChecker.Result result = HistoryChecker.check(history, grants, true);

        assertThat(result.violations()).isEmpty();
    }

    @Test
    void aGrantToAClaimThatWasNotTheHolderAtItsOffsetIsAViolation() {
        List<RawRecord> history = List.of(claim(0, 1000, A), claim(1, 1001, B));
        List<GrantInterval> grants = List.of(new GrantInterval(A, 0, 10, 20, -1), new GrantInterval(B, 1, 30, 40, -1));

        assertThat(HistoryChecker.check(history, grants, true).violations())
                .anyMatch(v -> v.contains("the holder at its offset was 0"))
                .anyMatch(v -> v.contains("overlaps"));
    }

    @Test
    void holdersOverlappingInTimeOrTokensGoingBackwardsAreViolations() {
        List<RawRecord> history = List.of(claim(0, 1000, A), tombstone(1, 1001, A), claim(2, 1002, B),
                tombstone(3, 1003, B));
        List<GrantInterval> grants = List.of(new GrantInterval(A, 0, 50, 60, 1), new GrantInterval(B, 2, 10, 55, 3));

        assertThat(HistoryChecker.check(history, grants, true).violations())
                .anyMatch(v -> v.contains("tokens do not increase"))
                .anyMatch(v -> v.contains("overlap in time"));
    }

    @Test
    void aTakeoverAtTheRecordThatExpiresTheHolderIsNoOverlap() {
        List<RawRecord> history = List.of(claim(0, 1000, A), claim(1, 1101, B));
        List<GrantInterval> grants = List.of(new GrantInterval(A, 0, 10, 20, -1), new GrantInterval(B, 1, 30, 40, -1));

        assertThat(HistoryChecker.check(history, grants, true).violations()).isEmpty();
    }

    @Test
    void aReleaseOffsetThatIsNotWhereTheHistoryEndsTheGrantIsAViolation() {
        List<RawRecord> history = List.of(claim(0, 1000, A), tombstone(1, 1001, A));
        List<GrantInterval> grants = List.of(new GrantInterval(A, 0, 10, 20, 7));

        assertThat(HistoryChecker.check(history, grants, true).violations()).anyMatch(v -> v.contains("released at 7"));
    }
}
