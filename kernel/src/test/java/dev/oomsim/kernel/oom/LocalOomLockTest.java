package dev.oomsim.kernel.oom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class LocalOomLockTest {

    @Test
    void trylockHandsOutIncreasingTokensAndFailsWhileHeld() {
        LocalOomLock lock = new LocalOomLock();
        Optional<OomLockToken> first = lock.tryLock();
        assertThat(first).contains(new OomLockToken(1));
        assertThat(lock.tryLock()).isEmpty();
        lock.unlock(first.get());
        assertThat(lock.tryLock()).contains(new OomLockToken(2));
    }

    @Test
    void aStaleTokenCannotUnlock() {
        LocalOomLock lock = new LocalOomLock();
        OomLockToken old = lock.tryLock().orElseThrow();
        lock.unlock(old);
        OomLockToken current = lock.tryLock().orElseThrow();
        assertThatThrownBy(() -> lock.unlock(old)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stale token 1");
        assertThat(lock.isHeld()).isTrue();
        lock.unlock(current);
        assertThat(lock.isHeld()).isFalse();
    }
}
