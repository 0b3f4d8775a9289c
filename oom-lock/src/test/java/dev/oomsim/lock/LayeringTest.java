package dev.oomsim.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.testkit.ImportRules;
import org.junit.jupiter.api.Test;

/** The lock knows Kafka, not the kernel or the agent that uses it, nor anything built on top. */
class LayeringTest {

    @Test
    void mainCodeReachesNoModuleAboveIt() {
        assertThat(ImportRules.ofThisModule()
                .importsOf("dev.oomsim.kernel", "dev.oomsim.agent", "dev.oomsim.stack", "dev.oomsim.coordinator",
                "dev.oomsim.cli", "dev.oomsim.bench", "dev.oomsim.broker", "dev.oomsim.testkit")).isEmpty();
    }
}
