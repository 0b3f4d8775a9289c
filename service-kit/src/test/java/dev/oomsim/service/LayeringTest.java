package dev.oomsim.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.testkit.ImportRules;
import org.junit.jupiter.api.Test;

/** What services share depends on no service, nor on the kernel model. */
class LayeringTest {

    @Test
    void mainCodeReachesNoModuleAboveIt() {
        assertThat(ImportRules.ofThisModule()
                .importsOf("dev.oomsim.kernel", "dev.oomsim.agent", "dev.oomsim.lock", "dev.oomsim.stack",
                "dev.oomsim.coordinator", "dev.oomsim.cli", "dev.oomsim.bench", "dev.oomsim.broker",
                "dev.oomsim.testkit")).isEmpty();
    }
}
