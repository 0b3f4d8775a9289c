package dev.oomsim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.oomsim.testkit.ImportRules;
import org.junit.jupiter.api.Test;

/**
 * The agent's layering, from the imports of its main sources: the kernel model and the wire's Avro types meet only in
 * {@code agent.wire}, the one mapper between them, and the agent never reaches a module above it.
 */
class LayeringTest {

    private static final Path WIRE = Path.of("dev", "oomsim", "agent", "wire");

    /**
     * An Avro type of the wire: a class of {@code dev.oomsim.schemas} itself (its topic catalogue and serdes are not).
     */
    private static boolean avroType(String name) {
        return name.matches("dev\\.oomsim\\.schemas\\.[A-Z]\\w*");
    }

    @Test
    void onlyTheWirePackageImportsBothKernelAndAvroTypes() {
        List<ImportRules.Import> imports = ImportRules.ofThisModule().imports();
        Set<Path> kernel = imports.stream().filter(i -> i.name().startsWith("dev.oomsim.kernel."))
                .map(ImportRules.Import::file).collect(Collectors.toSet());
        List<String> mixing = imports.stream().filter(i -> avroType(i.name())).map(ImportRules.Import::file)
                .filter(kernel::contains).filter(f -> !f.getParent().endsWith(WIRE)).distinct()
                .map(f -> f.getFileName().toString()).toList();

        assertThat(mixing).as("files outside agent.wire importing both dev.oomsim.kernel and Avro types").isEmpty();
    }

    @Test
    void theWirePackageImportsNothingElseOfTheAgent() {
        assertThat(ImportRules.ofThisModule().imports()).filteredOn(i -> i.file().getParent().endsWith(WIRE))
                .filteredOn(i -> i.name().startsWith("dev.oomsim.agent.") && !i.name()
                        .startsWith("dev.oomsim.agent.wire."))
                .as("agent.wire maps types; it does not reach the agent's runtime or its node").isEmpty();
    }

    @Test
    void mainCodeReachesNoModuleAboveIt() {
        assertThat(ImportRules.ofThisModule().importsOf("dev.oomsim.stack", "dev.oomsim.coordinator", "dev.oomsim.cli",
                "dev.oomsim.bench", "dev.oomsim.testkit")).isEmpty();
    }
}
