package dev.oomsim.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.oomsim.bench.BenchReport;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.BenchRunner;
import dev.oomsim.bench.BenchSettings;
import dev.oomsim.bench.Verdict;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node-agent rows with tiny counts on a real broker: pass-through loops and real agents (1, then 4 of a 4-node
 * machine) over the same generated requests, every agent outcome checked against the kernel model inside the
 * benchmark; OOM triggers each seen as one KillEvent; an agent service in a child JVM answering heap readings. Rows
 * are checked for shape, never for speed.
 */
class AgentBenchmarksIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    @Test
    void agentRowsRunAgainstTheirBaselinesWithTinyCounts() {
        // 40 000 produced records size the agent streams at 1 000 timed requests (250 per node of the 4-node machine):
        // a few poll batches of 500, enough to time. 20 OOM triggers instead of the 200 a real run takes.
        BenchSettings settings = BenchSettings.quick(100).withCounts(500, 40_000, 10, 50);
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        BenchReport report = new BenchRunner(settings,
                List.of(new AgentThroughputBenchmark(), new OomKillLatencyBenchmark(20), new AgentHeapBenchmark()),
                new PrintStream(log, true, StandardCharsets.UTF_8)).runLiveOn(KAFKA.bootstrapServers());

        List<BenchRow> rows = report.rows();
        BenchRow pass1 = row(rows, "transactional pass-through consume→produce, 1 partition");
        BenchRow agent1 = row(rows, "node agent ALLOC/FREE events, 1 agent");
        BenchRow pass4 = row(rows, "transactional pass-through consume→produce, 4 partitions");
        BenchRow agent4 = row(rows, "node agent ALLOC/FREE events, 4 agents of one 4-node machine");
        assertThat(List.of(pass1, agent1, pass4, agent4)).allSatisfy(r -> {
            assertThat(r.value()).isPositive();
            assertThat(r.unit()).isEqualTo("rec/s");
        });
        assertThat(agent1.baseline()).hasValueSatisfying(b -> {
            assertThat(b.label()).isEqualTo("pass-through 1 partition");
            assertThat(b.value()).isEqualTo(pass1.value());
        });
        assertThat(agent4.baseline()).hasValueSatisfying(b -> assertThat(b.value()).isEqualTo(pass4.value()));
        assertThat(agent1.targetText()).isEqualTo("≥ 0.7× pass-through 1 partition");
        assertThat(agent4.verdict()).isIn(Verdict.PASS, Verdict.FAIL);

        BenchRow p50 = row(rows, "OOM trigger → KillEvent visible on kills, 1 agent (20 may_oom requests) p50");
        BenchRow p99 = row(rows, "OOM trigger → KillEvent visible on kills, 1 agent (20 may_oom requests) p99");
        assertThat(p50.value()).isPositive().isLessThanOrEqualTo(p99.value());
        assertThat(p50.targetText()).isEqualTo("≤ 1.3× txn round trip + RTT, p50");
        assertThat(p99.targetText()).isEqualTo("≤ 1.3× txn round trip + RTT, p99");
        assertThat(p99.baseline())
                .hasValueSatisfying(b -> assertThat(b.label()).isEqualTo("txn round trip + RTT, p99"));

        BenchRow live = row(rows, "node agent heap, 64 GiB node, live");
        BenchRow loaded = row(rows, "node agent heap, 64 GiB node, after 1,000 ALLOC/FREE requests");
        assertThat(List.of(live, loaded)).allSatisfy(r -> {
            assertThat(r.value()).isBetween(1.0, 512.0);
            assertThat(r.unit()).isEqualTo("MiB");
            assertThat(r.targetText()).isEqualTo("≤ 128 MiB");
        });
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("agent heap: served");
    }

    private static BenchRow row(List<BenchRow> rows, String prefix) {
        return rows.stream().filter(r -> r.name().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no row starting " + prefix + " in " + rows.stream()
                        .map(BenchRow::name).toList()));
    }
}
