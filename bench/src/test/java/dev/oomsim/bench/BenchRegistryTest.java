package dev.oomsim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The registry is wired to benchmarks JMH really generated, without running any of them. */
class BenchRegistryTest {

    @Test
    void everyJmhRowNamesAMethodInTheGeneratedBenchmarkList() throws IOException {
        String list;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/BenchmarkList")) {
            assertThat(in).as("META-INF/BenchmarkList from JMH's annotation processor").isNotNull();
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<JmhBenchmark> jmh = BenchRegistry.all().stream()
                .filter(JmhBenchmark.class::isInstance).map(JmhBenchmark.class::cast).toList();
        assertThat(jmh).isNotEmpty();
        for (JmhBenchmark b : jmh) {
            for (JmhRow row : b.rows()) {
                assertThat(list).as(b.benchmarkId(row)).contains(" " + b.benchmarkClass().getName() + " ")
                        .contains(" " + row.method() + " ");
            }
        }
    }

    @Test
    void benchmarkAndRowNamesAreUnique() {
        Set<String> names = new HashSet<>();
        Set<String> rows = new HashSet<>();
        for (Benchmark b : BenchRegistry.all()) {
            assertThat(names.add(b.name())).as("benchmark name " + b.name()).isTrue();
            if (b instanceof JmhBenchmark j) {
                j.rows().forEach(r -> assertThat(rows.add(r.rowName())).as("row " + r.rowName()).isTrue());
            }
        }
    }
}
