package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import dev.oomsim.lock.LockRecord.ClaimRecord;
import dev.oomsim.lock.LockRecord.Other;
import dev.oomsim.lock.LockRecord.Tombstone;
import org.junit.jupiter.api.Test;

class LockStateTest {

    private static final LockKey A = new LockKey("oom_lock", "node-a", "1");
    private static final LockKey B = new LockKey("oom_lock", "node-b", "1");
    private static final LockKey C = new LockKey("oom_lock", "node-c", "1");
    private static final LockKey OTHER_LOCK = new LockKey("other_lock", "node-a", "1");

    private final LockState state = new LockState("oom_lock");

    private Optional<Acquisition> claim(long offset, long timeMs, LockKey key, long leaseMs) {
        return state.apply(new ClaimRecord(offset, timeMs, key, "r" + offset, leaseMs));
    }

    private Optional<Acquisition> tombstone(long offset, long timeMs, LockKey key) {
        return state.apply(new Tombstone(offset, timeMs, key));
    }

    @Test
    void firstLiveClaimAcquiresWithItsOffsetAsToken() {
        Optional<Acquisition> acquired = claim(0, 1_000, A, 100);

        assertThat(acquired).hasValueSatisfying(a -> {
            assertThat(a.token()).isZero();
            assertThat(a.holder().key()).isEqualTo(A);
            assertThat(a.isTakeoverAfterExpiry()).isFalse();
        });
        assertThat(state.holder()).map(Claim::rank).contains(0L);
    }

    @Test
    void laterClaimDoesNotDisturbTheLowerLiveRank() {
        claim(0, 1_000, A, 100);

        assertThat(claim(1, 1_050, B, 100)).isEmpty();
        assertThat(state.holder()).map(Claim::key).contains(A);
        assertThat(state.claims()).containsOnlyKeys(A, B);
    }

    @Test
    void claimIsStillLiveAtItsDeadlineAndExpiresOneMillisecondLater() {
        claim(0, 1_000, A, 100);

        assertThat(claim(1, 1_100, B, 100)).as("T == deadline: A still holds").isEmpty();
        assertThat(state.holder()).map(Claim::key).contains(A);

        Optional<Acquisition> takeover = state.apply(new Other(2, 1_101));
        assertThat(takeover).hasValueSatisfying(a -> {
            assertThat(a.token()).isEqualTo(1);
            assertThat(a.holder().key()).isEqualTo(B);
            assertThat(a.offset()).isEqualTo(2);
            assertThat(a.expiredPredecessor()).map(Claim::key).contains(A);
        });
    }

    @Test
    void tombstoneOfTheHolderHandsTheLockToTheNextLiveRank() {
        claim(0, 1_000, A, 100);
        claim(1, 1_010, B, 100);
        claim(2, 1_020, C, 100);

        Optional<Acquisition> next = tombstone(3, 1_030, A);

        assertThat(next).hasValueSatisfying(a -> {
            assertThat(a.token()).isEqualTo(1);
            assertThat(a.isTakeoverAfterExpiry()).isFalse();
        });
        assertThat(state.claims()).containsOnlyKeys(B, C);
    }

    @Test
    void aNewClaimOnTheSameKeyReplacesTheOldOneAndTakesANewRank() {
        claim(0, 1_000, A, 100);
        claim(1, 1_010, B, 100);

        Optional<Acquisition> reclaimed = claim(2, 1_020, A, 100);

        assertThat(reclaimed).map(Acquisition::token).contains(1L);
        assertThat(state.claims().get(A).rank()).isEqualTo(2);
    }

    @Test
    void noMemoryOfLostClaims_aClaimThatLostAtItsOffsetHoldsOnceTheLowerRanksAreGone() {
        claim(0, 1_000, A, 100);
        assertThat(claim(1, 1_010, B, 100)).as("B loses at its own offset").isEmpty();

        assertThat(tombstone(2, 1_020, A)).map(Acquisition::token).contains(1L);
    }

    @Test
    void expiredClaimsAreSkippedWhenTheHolderIsChosen() {
        claim(0, 1_000, A, 10);
        claim(1, 1_050, B, 100);

        assertThat(state.holder()).map(Claim::key).contains(B);
        assertThat(state.holderAt(1_005)).map(Claim::key).contains(A);
        assertThat(state.claims()).containsKey(A);
    }

    @Test
    void tokensOfSuccessiveHoldersStrictlyIncrease() {
        long lastToken = -1;
        long offset = 0;
        for (int round = 0; round < 50; round++) {
            LockKey key = round % 2 == 0 ? A : B;
            Optional<Acquisition> acquired = claim(offset, 1_000 + offset, key, 100);
            offset++;
            assertThat(acquired).isPresent();
            assertThat(acquired.get().token()).isGreaterThan(lastToken);
            lastToken = acquired.get().token();
            tombstone(offset, 1_000 + offset, key);
            offset++;
        }
        assertThat(state.highestAcquiredToken()).isEqualTo(lastToken);
    }

    @Test
    void recordsOfAnotherLockMoveLogTimeButClaimNothing() {
        claim(0, 1_000, OTHER_LOCK, 100);

        assertThat(state.claims()).isEmpty();
        assertThat(state.holder()).isEmpty();
        assertThat(state.logTimeMs()).isEqualTo(1_000);
    }

    @Test
    void tombstoneOfAnUnknownKeyChangesNothing() {
        claim(0, 1_000, A, 100);

        assertThat(tombstone(1, 1_001, B)).isEmpty();
        assertThat(state.holder()).map(Claim::key).contains(A);
    }

    @Test
    void theViewTellsWhetherAnotherKeyHoldsALiveClaimAtAnEstimatedLogTime() {
        claim(0, 1_000, A, 100);
        LockState.View view = state.view();

        assertThat(view.anotherLiveClaim(B, 1_100)).isTrue();
        assertThat(view.anotherLiveClaim(B, 1_101)).isFalse();
        assertThat(view.anotherLiveClaim(A, 1_050)).as("own claim does not count").isFalse();
    }

    @Test
    void theViewListsEarlierIncarnationsOfTheSameContender() {
        LockKey earlier = new LockKey("oom_lock", "node-a", "0");
        claim(0, 1_000, earlier, 100);
        claim(1, 1_000, B, 100);

        assertThat(state.view().earlierIncarnationsOf(A)).extracting(Claim::key).containsExactly(earlier);
    }

    @Test
    void recordsOutOfOffsetOrderAreABug() {
        claim(5, 1_000, A, 100);

        assertThatThrownBy(() -> claim(5, 1_000, B, 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 5 after 5");
    }

    @Test
    void keysParseAndPrintAsLockContenderIncarnation() {
        assertThat(LockKey.parse("oom_lock/node-3/7f2c")).contains(new LockKey("oom_lock", "node-3", "7f2c"));
        assertThat(A.asString()).isEqualTo("oom_lock/node-a/1");
        assertThat(LockKey.parse("oom_lock/node-3")).isEmpty();
        assertThat(LockKey.parse("oom_lock//x")).isEmpty();
        assertThat(LockKey.parse("a/b/c/d")).isEmpty();
        assertThat(LockKey.parse("a/b/")).isEmpty();
        assertThatThrownBy(() -> new LockKey("oom_lock", "node/3", "1"))
                .hasMessageContaining("contender");
    }
}
