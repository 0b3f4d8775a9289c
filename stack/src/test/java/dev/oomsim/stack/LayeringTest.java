package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.testkit.ImportRules;
import org.junit.jupiter.api.Test;

/** The in-process stack composes services; the command line and the benchmarks are built on it, not under it. */
class LayeringTest {

    @Test
    void mainCodeReachesNoModuleAboveIt() {
        assertThat(ImportRules.ofThisModule().importsOf("dev.oomsim.cli", "dev.oomsim.bench", "dev.oomsim.testkit"))
                .isEmpty();
    }
}
