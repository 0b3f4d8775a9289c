package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FencingCheckTest {

    private final FencingCheck check = new FencingCheck();

    @Test
    void acceptsAnyTokenBeforeAnyAcquisitionIsSeen() {
        assertThat(check.accept(0).accepted()).isTrue();
    }

    @Test
    void rejectsATokenOlderThanTheNewestAcquisitionWithReasonStaleFencingToken() {
        check.observeAcquisition(10);
        check.observeAcquisition(42);

        FencingCheck.Verdict verdict = check.accept(10);

        assertThat(verdict).isEqualTo(new FencingCheck.Verdict.Rejected(10, 42, "stale fencing token"));
        assertThat(verdict.accepted()).isFalse();
    }

    @Test
    void acceptsTheNewestTokenAndANewerOneWhichThenFencesOlderOnes() {
        check.observeAcquisition(42);

        assertThat(check.accept(42).accepted()).isTrue();
        assertThat(check.accept(50).accepted()).isTrue();
        assertThat(check.accept(42)).isInstanceOf(FencingCheck.Verdict.Rejected.class);
    }

    @Test
    void anOlderAcquisitionSeenLateDoesNotLowerTheBar() {
        check.observeAcquisition(42);
        check.observeAcquisition(7);

        assertThat(check.highestSeen()).isEqualTo(42);
    }
}
