package dev.oomsim.cli;

import static dev.oomsim.cli.SimulateCommandTest.oomsim;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.cli.SimulateCommandTest.Result;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.ScenarioPlayback;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code oomsim kills} against kills the real agents decided on the embedded broker. */
class KillsCommandIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Path SCENARIOS = Path.of("..", "scenarios");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String playInto(String prefix, String file) {
        Scenario scenario = Machines.fromFile(SCENARIOS.resolve(file));
        ScenarioPlayback.play(scenario, KAFKA.bootstrapServers(), new Topics(prefix, scenario.nodes().size()));
        return prefix;
    }

    @Test
    void fromTheBeginningPrintsEachKillAsTheKernelLoggedItWithItsExplanation() {
        String prefix = playInto(KAFKA.uniqueTopic("kills") + ".", "1-node-child-sacrifice.yaml");

        Result r = oomsim("kills", "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", prefix,
                "--from-beginning");

        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("bash invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0");
        assertThat(lines).contains("Out of memory: Kill process 100 (supervisor) score 612 or sacrifice child",
                "Killed process 103 (worker-b) total-vm:4000kB, anon-rss:3600kB, file-rss:0kB");
        assertThat(lines.get(lines.size() - 1)).startsWith("  why: chose 100 (supervisor) with 5020 points (score 612)"
                + " and killed its child 103 (worker-b) instead").contains("top candidates 100 supervisor 5020");
        assertThat(lines).filteredOn(l -> l.startsWith("  why: ")).hasSize(1);
    }

    @Test
    void jsonIsOneObjectPerKillWithTheExplanation() throws IOException {
        String prefix = playInto(KAFKA.uniqueTopic("json") + ".", "2-nodes-global-kill.yaml");

        Result r = oomsim("kills", "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", prefix,
                "--from-beginning", "--format", "json");

        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(1);
        JsonNode kill = JSON.readTree(lines.get(0));
        assertThat(kill.get("victim").get("pid").asInt()).isEqualTo(900);
        assertThat(kill.get("constraint").asText()).isEqualTo("CONSTRAINT_NONE");
        assertThat(kill.get("explanation").asText()).startsWith("killed 900 (java), the highest badness: 5010 points");
        assertThat(kill.get("log").toString()).contains("Killed process 900 (java)");
    }

    @Test
    void anUnreachableClusterOrAMissingTopicIsARuntimeFailureThatSaysWhatToDo() {
        Result missing = oomsim("kills", "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", "nothing-here.",
                "--from-beginning");
        assertThat(missing.exit()).isEqualTo(ExitCodes.RUNTIME_FAILURE);
        assertThat(missing.err()).contains("has no topic nothing-here.kills: start the stack there with `oomsim up`");

        Result unreachable = oomsim("kills", "--bootstrap", "127.0.0.1:1", "--from-beginning");
        assertThat(unreachable.exit()).isEqualTo(ExitCodes.RUNTIME_FAILURE);
        assertThat(unreachable.err()).contains("cannot reach Kafka at 127.0.0.1:1 within 10 s");
    }

    @Test
    void followPrintsKillsAsTheyHappenAndCtrlCStopsIt(@TempDir Path dir) throws Exception {
        String prefix = KAFKA.uniqueTopic("follow") + ".";
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(new Topics(prefix, 2).all());
        try (ChildOomsim kills = ChildOomsim.start(dir.resolve("kills.log"), "kills", "--bootstrap",
                KAFKA.bootstrapServers(), "--topic-prefix", prefix, "--follow")) {
            kills.awaitLine("^oomsim kills: following ", Duration.ofSeconds(60));
            playInto(prefix, "2-nodes-global-kill.yaml");
            kills.awaitLine("^  why: (killed 900 \\(java\\).*)$", Duration.ofSeconds(60));
            int exit = kills.interrupt(Duration.ofSeconds(30));
            assertThat(exit).as("exit status after Ctrl-C").isEqualTo(ExitCodes.INTERRUPTED);
            assertThat(kills.output()).contains("Killed process 900 (java)");
        }
    }
}
