package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LockConfigTest {

    private final LockConfig defaults = LockConfig.defaults("oomsim.oom-lock", "node-3");

    @Test
    void defaultsGiveEveryStartANewIncarnation() {
        assertThat(LockConfig.defaults("t", "node-3").incarnation()).isNotEqualTo(defaults.incarnation());
        assertThat(defaults.key().asString()).startsWith("oom_lock/node-3/");
        assertThat(defaults.decisionTimeout()).isEqualTo(defaults.minCompactionLag().dividedBy(2));
    }

    @Test
    void minCompactionLagMustBeAboveTheLease() {
        assertThatThrownBy(() -> defaults.withMinCompactionLag(Duration.ofSeconds(10)))
                .hasMessageContaining("minCompactionLag");
    }

    @Test
    void theSafetyMarginMustBeBelowTheLease() {
        assertThatThrownBy(() -> defaults.withLease(Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("safetyMargin");
    }

    @Test
    void aContenderNameWithASlashIsRefused() {
        assertThatThrownBy(() -> LockConfig.defaults("t", "node/3")).hasMessageContaining("contender");
    }

    @Test
    void aGrantIsValidByTheHoldersClockUntilItsValidUntil() {
        LockGrant grant = new LockGrant(defaults.key(), "1", 7, 1_000, 100, 200);

        assertThat(grant.isValidAt(199)).isTrue();
        assertThat(grant.isValidAt(200)).isFalse();
    }
}
