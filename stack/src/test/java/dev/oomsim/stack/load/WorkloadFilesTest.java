package dev.oomsim.stack.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class WorkloadFilesTest {

    private static final Path DIR = Path.of("..", "scenarios", "workloads");

    private static Workload parse(String yaml) {
        return WorkloadFiles.parse(yaml.getBytes(StandardCharsets.UTF_8), "w.yaml");
    }

    @Test
    void everyShippedWorkloadParsesAndGenerates() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("leak-one-task.yaml", "mixed-gfp-burst.yaml");
        for (Path f : files) {
            Workload w = WorkloadFiles.read(f);
            assertThat(f.getFileName().toString()).isEqualTo(w.name() + ".yaml");
            assertThat(WorkloadGenerator.all(w, 1, 0)).isNotEmpty();
        }
    }

    @Test
    void mixedWorkloadReadsEveryField() {
        Workload w = WorkloadFiles.read(DIR.resolve("mixed-gfp-burst.yaml"));
        assertThat(w.profile()).isEqualTo("modern");
        Workload.Task java = w.tasks().get(2);
        assertThat(java.comm()).isEqualTo("java");
        assertThat(java.exitAtS()).isEqualTo(18.0);
        assertThat(java.gfp()).containsKeys("GFP_HIGHUSER_MOVABLE|__GFP_THISNODE", "GFP_KERNEL");
        assertThat(java.orders()).containsEntry(4, 1);
        assertThat(w.tasks().get(1).bursts()).hasSize(2);
    }

    @Test
    void aBadValueNamesLineAndField() {
        String yaml = """
                name: x
                duration_s: 10
                tasks:
                  - pid: 10
                    comm: a
                    placement: {0: 1}
                    gfp: {GFP_KERNEL: 1}
                    orders: {11: 1}
                """;
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(WorkloadException.class)
                .hasMessageContaining("w.yaml, line ").hasMessageContaining("tasks[0].orders")
                .hasMessageContaining("0..10");
    }

    @Test
    void anUnknownFieldIsNamedWithTheKnownOnes() {
        String yaml = """
                name: x
                duration_s: 10
                tasks:
                  - pid: 10
                    comm: a
                    pages_per_sec: 5
                    placement: {0: 1}
                    gfp: {GFP_KERNEL: 1}
                    orders: {0: 1}
                """;
        assertThatThrownBy(() -> parse(yaml)).hasMessageContaining("w.yaml, line 6:")
                .hasMessageContaining("tasks[0].pages_per_sec").hasMessageContaining("pages_per_s");
    }

    @Test
    void aMissingRequiredFieldAndAWrongTypeAreNamed() {
        assertThatThrownBy(() -> parse("name: x\ntasks: []\n")).hasMessageContaining("duration_s");
        assertThatThrownBy(() -> parse("name: x\nduration_s: ten\ntasks: []\n"))
                .hasMessageContaining("line 2").hasMessageContaining("duration_s");
    }

    @Test
    void anUnknownGfpNameIsNamedByTask() {
        Workload w = parse("""
                name: x
                duration_s: 1
                tasks:
                  - {pid: 10, comm: a, placement: {0: 1}, gfp: {GFP_BOGUS: 1}, orders: {0: 1}, pages_per_s: 1}
                """);
        assertThatThrownBy(() -> new WorkloadGenerator(w, 1, 0)).hasMessageContaining("tasks[0].gfp");
    }
}
