package dev.oomsim.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomsim.testkit.ImportRules;
import org.junit.jupiter.api.Test;

/**
 * The coordinator folds what the agents write: it reads the wire (schemas), folds the lock topic with {@code
 * oom-lock}'s own fold, and knows nothing of the agents' or the kernel model's code, nor of the modules built on it.
 */
class LayeringTest {

    @Test
    void mainCodeReachesNeitherTheAgentsNorTheKernelModel() {
        assertThat(ImportRules.ofThisModule().importsOf("dev.oomsim.agent", "dev.oomsim.kernel")).isEmpty();
    }

    @Test
    void mainCodeReachesNoModuleAboveIt() {
        assertThat(ImportRules.ofThisModule().importsOf("dev.oomsim.stack", "dev.oomsim.cli", "dev.oomsim.bench",
                "dev.oomsim.testkit")).isEmpty();
    }
}
