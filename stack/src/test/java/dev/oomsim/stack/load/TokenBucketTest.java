package dev.oomsim.stack.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    @Test
    void givesTokensAtTheRateOfTheClock() {
        AtomicLong now = new AtomicLong(1_000);
        TokenBucket b = new TokenBucket(100, 10, now::get);
        assertThat(b.tryTake(1)).isFalse();
        assertThat(b.nanosUntil(1)).isEqualTo(10_000_000L);
        now.addAndGet(10_000_000L);
        assertThat(b.tryTake(1)).isTrue();
        assertThat(b.tryTake(1)).isFalse();
    }

    @Test
    void waitingWhatItSaysDoesNotDrift() {
        AtomicLong now = new AtomicLong();
        TokenBucket b = new TokenBucket(1000, 1, now::get);
        int taken = 0;
        while (now.get() < 1_000_000_000L) {
            long wait = b.nanosUntil(1);
            // a late waker: every wait overshoots by 123 ns, as real sleeps do
            now.addAndGet(wait == 0 ? 0 : wait + 123);
            if (b.tryTake(1)) {
                taken++;
            }
        }
        assertThat(taken).isBetween(999, 1000);
    }

    @Test
    void banksAtMostTheBurst() {
        AtomicLong now = new AtomicLong();
        TokenBucket b = new TokenBucket(100, 5, now::get);
        now.addAndGet(60_000_000_000L);
        int taken = 0;
        while (b.tryTake(1)) {
            taken++;
        }
        assertThat(taken).isEqualTo(5);
    }

    @Test
    void rejectsANonPositiveRate() {
        assertThatThrownBy(() -> new TokenBucket(0, 1, System::nanoTime)).hasMessageContaining("positive");
    }
}
