package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.agent.NodeAgent;
import dev.oomsim.agent.wire.OutcomeMapper;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The node agent as its own JVM, killed with SIGKILL mid-load and started again: the new process replays the command
 * log and the run ends exactly as an uninterrupted one, with one outcome per request.
 */
class AgentProcessCrashIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Path MACHINE = CrashRecoveryIT.MACHINE;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anAgentKilledWithSigkillAndRestartedEndsAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Scenario scenario = ScenarioParser.parse(new ObjectMapper(new YAMLFactory())
                .readValue(MACHINE.toFile(), Object.class));
        ScenarioRun uninterrupted = ScenarioPlayback.play(scenario, KAFKA.bootstrapServers(),
                new Topics(KAFKA.uniqueTopic("whole") + ".", 1));

        String prefix = KAFKA.uniqueTopic("sigkill") + ".";
        Topics topics = new Topics(prefix, 1);
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
        Path settings = dir.resolve("agent.properties");
        int port = freePort();
        Files.writeString(settings, String.join("\n",
                "node.id=0", "nodes=1", "bootstrap.servers=" + KAFKA.bootstrapServers(), "topic.prefix=" + prefix,
                "machine.file=" + MACHINE.toAbsolutePath(), "metrics.port=" + port, "poll.timeout.ms=20", ""));

        int half = 5; // event 5 is a direct may_oom call: the agent dies while it may wait at oom_lock
        assertThat(((EventResult.Alloc) uninterrupted.results().get(half)).mayOomCalls()).isPositive();
        Crashed run = feedAcrossASigkill(scenario, topics, half, settings, dir, port);

        assertThat(run.results()).containsExactlyElementsOf(uninterrupted.results());
        assertThat(run.state()).isEqualTo(uninterrupted.state());
        assertOneOutcomePerRequest(topics, scenario);
    }

    /**
     * A two-node machine, one agent in this JVM and one in its own, the latter SIGKILLed while a request that crosses
     * nodes is in flight (node 0: the requester waiting at oom_lock or for node 1's rss and releases; node 1: the node
     * serving those calls) and started again: the run ends exactly as the in-process model's, one outcome per request.
     */
    @ParameterizedTest(name = "SIGKILL the agent of node {0}")
    @ValueSource(ints = {0, 1})
    void aTwoNodeMachineEndsAsTheModelWhicheverAgentIsKilled(int victim, @TempDir Path dir) throws Exception {
        Path machineFile = Path.of("src", "test", "resources", "crash-2nodes-machine.yaml");
        Scenario scenario = ScenarioParser.parse(new ObjectMapper(new YAMLFactory())
                .readValue(machineFile.toFile(), Object.class));
        ScenarioRun model = ScenarioRunner.run(scenario);

        String prefix = KAFKA.uniqueTopic("sigkill2") + ".";
        Topics topics = new Topics(prefix, 2);
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
        int port = freePort();
        Path settings = dir.resolve("agent-" + victim + ".properties");
        Files.writeString(settings, String.join("\n",
                "node.id=" + victim, "nodes=2", "bootstrap.servers=" + KAFKA.bootstrapServers(), "topic.prefix="
                + prefix,
                "machine.file=" + machineFile.toAbsolutePath(), "metrics.port=" + port, "poll.timeout.ms=20",
                // A snapshot whenever nothing is in flight: the restarted agent restores one and replays only the rest.
                "snapshot.every.commands=1", ""));

        // a direct may_oom on node 0: oom_lock, then rss gathered from node 1 and the victim's pages released there
        int crashAt = 3;
        try (OomsimCluster other = OomsimCluster.builder(scenario).bootstrapServers(KAFKA.bootstrapServers())
                .topics(topics).ensureTopics(false).agents(List.of(1 - victim)).pollTimeout(Duration.ofMillis(20))
                .snapshotEveryCommands(1).start()) {
            Crashed run = feedAcrossASigkill(scenario, topics, crashAt, settings, dir, port);
            assertThat(run.results()).containsExactlyElementsOf(model.results());
            assertThat(run.state()).isEqualTo(model.state());
        }
        assertThat(Files.readString(dir.resolve("agent-2.log"))).as("the restarted agent's log")
                .containsPattern("node " + victim + " agent: restored the snapshot at offset [1-9]");
        assertOneOutcomePerRequest(topics, scenario);
        assertThat(KAFKA.readAll(topics.kills().name())).as("one kill event for the one kill").hasSize(1);
    }

    /**
     * The agent of node 0 is SIGKILLed while its request holds {@code oom_lock}: granted, journaled, and waiting for
     * node 1's rss, node 1's agent being down. The restart withdraws the dead incarnation's claim, and another
     * contender takes the lock. The replayed request must not go on as holder of the dead grant: going live it journals
     * the grant as lost, folds again, and its attempt counts as a failed trylock. No kill is made while the other
     * contender holds the lock, the one kill comes under a newer grant of node 0, and the run ends as the model's run
     * in which that trylock failed (the direct may_oom returns "retry later"; the next allocation's OOM kills).
     */
    @Test
    void aGrantOfAKilledIncarnationIsLostAndTriedAgainNotHeld(@TempDir Path dir) throws Exception {
        Path machineFile = Path.of("src", "test", "resources", "crash-2nodes-machine.yaml");
        Scenario scenario = ScenarioParser.parse(new ObjectMapper(new YAMLFactory())
                .readValue(machineFile.toFile(), Object.class));
        int mayOom = 3; // a direct may_oom on node 0: oom_lock, then rss gathered from node 1
        dev.oomsim.kernel.oom.LocalOomLock modelLock = new dev.oomsim.kernel.oom.LocalOomLock();
        ScenarioRunner model = new ScenarioRunner(scenario, modelLock,
                dev.oomsim.kernel.mm.NodeMemory.Factory.local());
        List<EventResult> expected = new ArrayList<>();
        for (int i = 0; i < scenario.events().size(); i++) {
            // The model's run in which the may_oom's trylock fails: someone else holds oom_lock just then.
            var elsewhere = i == mayOom ? modelLock.holdElsewhere() : null;
            expected.add(model.runEvent(i, scenario.events().get(i)));
            if (elsewhere != null) {
                modelLock.unlock(elsewhere);
            }
        }
        assertThat(((EventResult.Alloc) expected.get(mayOom)).path()).containsExactly("may_oom:trylock-fail");
        dev.oomsim.kernel.Machine machine = new ScenarioRunner(scenario).machine();
        String prefix = KAFKA.uniqueTopic("lostgrant") + ".";
        Topics topics = new Topics(prefix, 2);
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
        int port = freePort();
        Path settings = dir.resolve("agent-0.properties");
        Files.writeString(settings, String.join("\n",
                "node.id=0", "nodes=2", "bootstrap.servers=" + KAFKA.bootstrapServers(), "topic.prefix=" + prefix,
                "machine.file=" + machineFile.toAbsolutePath(), "metrics.port=" + port, "poll.timeout.ms=20", ""));
        List<EventResult> results = new ArrayList<>();
        OomsimCluster.Builder node1 = OomsimCluster.builder(scenario).bootstrapServers(KAFKA.bootstrapServers())
                .topics(topics).ensureTopics(false).agents(List.of(1)).pollTimeout(Duration.ofMillis(20));
        try (ScenarioFeeder feeder = new ScenarioFeeder(KAFKA.bootstrapServers(), topics);
             dev.oomsim.agent.CompactedTopicClusterLock other = new dev.oomsim.agent.CompactedTopicClusterLock(
                     KAFKA.bootstrapServers(), topics.oomLock().name(), "other-contender",
                     new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            Process first = startAgent(settings, dir.resolve("agent-1.log"), port);
            try (OomsimCluster up = node1.start()) {
                for (int i = 0; i < mayOom; i++) {
                    results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i),
                            origin(scenario, i, machine))));
                }
            }
            // Node 1 is down: the may_oom takes oom_lock, journals the grant and waits for node 1's rss.
            feeder.submit(command(scenario, mayOom), origin(scenario, mayOom, machine));
            long deadGrant = await().atMost(Duration.ofSeconds(30)).until(() -> journaledGrant(topics),
                    java.util.Optional::isPresent).orElseThrow();
            first.destroyForcibly();
            assertThat(first.waitFor()).as("exit status of SIGKILL").isEqualTo(137);

            Process second = startAgent(settings, dir.resolve("agent-2.log"), port);
            long otherToken;
            try {
                // The restart withdrew the dead incarnation's claim: another contender can take the lock now.
                otherToken = await().atMost(Duration.ofSeconds(30)).until(other::tryLock,
                        java.util.Optional::isPresent).orElseThrow();
                assertThat(otherToken).isGreaterThan(deadGrant);
                try (OomsimCluster up = node1.start()) {
                    // Node 1 answers the dead grant's call; node 0 must not kill under it while the other holds.
                    await().atMost(Duration.ofSeconds(30)).until(() -> KAFKA.readAll(topics.allocRequests().name())
                            .stream().map(r -> topics.allocRequests().valueSerde().deserializer()
                                    .deserialize(r.topic(), r.value()))
                            .anyMatch(c -> c.getOrigin() == 1 && c.getBody() instanceof dev.oomsim.schemas.MemoryReply
                                    reply && reply.getRequestId().equals("event-" + mayOom)));
                    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                            .until(() -> KAFKA.readAll(topics.kills().name()).isEmpty());
                    await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(dir.resolve("agent-2.log"))
                            .contains("journaled as lost"));
                    other.unlock(otherToken);
                    results.add(OutcomeMapper.toResult(feeder.outcome("event-" + mayOom)));
                    for (int i = mayOom + 1; i < scenario.events().size(); i++) {
                        results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i),
                                origin(scenario, i, machine))));
                    }
                    assertThat(results).containsExactlyElementsOf(expected);
                    assertThat(ScenarioPlayback.stateTree(feeder.snapshots("final", List.of(0, 1))))
                            .isEqualTo(model.stateReport());
                }
            } finally {
                second.destroy();
                second.waitFor();
            }
            List<dev.oomsim.schemas.KillEvent> kills = KAFKA.readAll(topics.kills().name()).stream()
                    .map(r -> topics.kills().valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
            assertThat(kills).as("one kill event for the one kill").hasSize(1);
            assertThat(kills.get(0).getLockToken()).as("killed under node 0's new grant, after the other contender's")
                    .isGreaterThan(otherToken);
        }
        assertOneOutcomePerRequest(topics, scenario);
    }

    /** The fencing token of a grant node 0 journaled in its command log, if it has. */
    private static java.util.Optional<Long> journaledGrant(Topics topics) {
        return KAFKA.readAll(topics.allocRequests().name()).stream()
                .map(r -> topics.allocRequests().valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .filter(c -> c.getOrigin() == 0 && c.getBody() instanceof dev.oomsim.schemas.LockResult l
                        && l.getGranted())
                .map(c -> ((dev.oomsim.schemas.LockResult) c.getBody()).getToken()).findFirst();
    }

    /** The outcomes and final state of a run whose child-JVM agent died. */
    private record Crashed(List<EventResult> results, Map<String, Object> state) {
    }

    /**
     * Starts the agent of {@code settings} in its own JVM, feeds the scenario's events one at a time, SIGKILLs the
     * agent right after submitting event {@code crashAt}, starts it again and feeds the rest.
     */
    private Crashed feedAcrossASigkill(Scenario scenario, Topics topics, int crashAt, Path settings, Path dir, int port)
            throws Exception {
        dev.oomsim.kernel.Machine machine = new ScenarioRunner(scenario).machine();
        List<Integer> nodes = machine.nodes().stream().map(n -> n.id()).toList();
        List<EventResult> results = new ArrayList<>();
        try (ScenarioFeeder feeder = new ScenarioFeeder(KAFKA.bootstrapServers(), topics)) {
            Process first = startAgent(settings, dir.resolve("agent-1.log"), port);
            for (int i = 0; i < crashAt; i++) {
                results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i), origin(scenario, i, machine))));
            }
            feeder.submit(command(scenario, crashAt), origin(scenario, crashAt, machine));
            first.destroyForcibly();
            assertThat(first.waitFor()).as("exit status of SIGKILL").isEqualTo(137);

            Process second = startAgent(settings, dir.resolve("agent-2.log"), port);
            try {
                results.add(OutcomeMapper.toResult(feeder.outcome("event-" + crashAt)));
                for (int i = crashAt + 1; i < scenario.events().size(); i++) {
                    results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i),
                            origin(scenario, i, machine))));
                }
                return new Crashed(results, ScenarioPlayback.stateTree(feeder.snapshots("final", nodes)));
            } finally {
                second.destroy();
                second.waitFor();
            }
        }
    }

    private static void assertOneOutcomePerRequest(Topics topics, Scenario scenario) {
        List<String> ids = KAFKA.readAll(topics.progress().name()).stream()
                .map(r -> topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value())
                        .getRequestId())
                .toList();
        assertThat(ids).doesNotHaveDuplicates().hasSize(scenario.events().size());
    }

    private static int origin(Scenario scenario, int i, dev.oomsim.kernel.Machine machine) {
        return ScenarioPlayback.originNode(scenario.events().get(i), machine);
    }

    private Process startAgent(Path settings, Path log, int port) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), NodeAgent.class.getName(),
                settings.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!p.isAlive()) {
                throw new AssertionError("agent exited with " + p.exitValue() + ": " + Files.readString(log));
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return p;
    }

    private static dev.oomsim.schemas.AllocRequest command(Scenario scenario, int i) {
        return ScenarioPlayback.command("event-" + i, i, scenario.events().get(i), scenario.profile());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
