package dev.oomsim.kernel.oom;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RatelimitTest {

    @Test
    void tenReportsPerFiveSecondsThenAFreshWindow() {
        Ratelimit rl = Ratelimit.kernelDefault();
        List<Boolean> allowed = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            allowed.add(rl.allow(100L * i));
        }
        assertThat(allowed).containsExactly(true, true, true, true, true, true, true, true, true, true, false, false);
        assertThat(rl.allow(5000)).isFalse();
        assertThat(rl.allow(5001)).isTrue();
    }

    @Test
    void withoutAClockNothingIsLimited() {
        Ratelimit rl = Ratelimit.kernelDefault();
        for (int i = 0; i < 100; i++) {
            assertThat(rl.allow(-1)).isTrue();
        }
    }
}
