package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.coordinator.CoordinatorConfig;
import dev.oomsim.coordinator.CoordinatorService;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two coordinator instances sharing one application id (own state directories, own HTTP ports, each advertising its
 * own address as {@code application.server}) beside the real agents of a four-node machine driven to kills. The
 * nodes' views are split between the instances (one {@code node-inputs} partition per node), yet each instance
 * answers {@code /api/nodes/{id}} for every node: the nodes it does not host (its {@code ?local=true} answer is not
 * there) it asks the owner for, found in the Streams metadata. {@code /api/pressure} and {@code /api/kills} gather
 * both instances' stores and are the same answer from either.
 */
class TwoCoordinatorsIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void eachInstanceAnswersForEveryNodeAndBothAgreeOnPressureAndKills() throws Exception {
        Scenario scenario = ScenarioFiles.read(Path.of("src", "test", "resources", "4-nodes-kills-everywhere.yaml"));
        int nodes = scenario.nodes().size();
        Topics topics = new Topics(KAFKA.uniqueTopic("two-coordinators") + ".", nodes);
        Path stateRoot = Files.createDirectories(Path.of("target", "two-coordinators"));
        CoordinatorConfig defaults = CoordinatorConfig.defaults(topics);
        CoordinatorConfig config = new CoordinatorConfig(topics, topics.prefix() + "coordinator",
                defaults.rateWindow(), defaults.grace(), defaults.recentKills());
        try (OomsimCluster cluster = OomsimCluster.builder(scenario).bootstrapServers(KAFKA.bootstrapServers())
                .topics(topics).start();
             CoordinatorService first = new CoordinatorService(instance(config, stateRoot, "a")).start();
             CoordinatorService second = new CoordinatorService(instance(config, stateRoot, "b")).start()) {
            assertThat(first.httpPort()).isNotEqualTo(second.httpPort());
            assertThat(first.stateDir()).isNotEqualTo(second.stateDir());
            await().atMost(DEADLINE).until(() -> cluster.isLive() && first.isReady() && second.isReady());
            List<URI> instances = List.of(first.httpUri(), second.httpUri());

            ScenarioPlayback.play(scenario, cluster);
            List<KillEvent> kills = KAFKA.readAll(topics.kills().name()).stream()
                    .map(r -> topics.kills().valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
            assertThat(kills).as("every event kills").hasSize(scenario.events().size());
            assertThat(kills).extracting(KillEvent::getInvokingNode).as("every node's agent kills")
                    .containsOnly(0, 1, 2, 3);

            await().atMost(DEADLINE).untilAsserted(() -> {
                for (URI base : instances) {
                    JsonNode pressure = get(base, "api/pressure").body();
                    assertThat(pressure.path("cluster").path("kills").asLong()).as("cluster kills via %s", base)
                            .isEqualTo(kills.size());
                    assertThat(pressure.path("nodes")).as("nodes via %s", base).hasSize(nodes);
                }
            });

            // Every instance answers for every node; some of those answers it had to ask the other one for.
            Map<URI, List<Integer>> hostedElsewhere = new TreeMap<>();
            for (URI base : instances) {
                List<Integer> remote = new ArrayList<>();
                for (int node = 0; node < nodes; node++) {
                    Response answer = get(base, "api/nodes/" + node);
                    assertThat(answer.status()).as("node %d via %s: %s", node, base, answer.body()).isEqualTo(200);
                    assertThat(answer.body().path("node").asInt()).isEqualTo(node);
                    assertThat(answer.body().path("zones").size()).as("node %d's zones via %s", node, base)
                            .isPositive();
                    if (get(base, "api/nodes/" + node + "?local=true").status() != 200) {
                        remote.add(node);
                    }
                }
                hostedElsewhere.put(base, remote);
            }
            assertThat(hostedElsewhere).as("nodes each instance does not host itself").allSatisfy((base, remote) ->
                    assertThat(remote).as("via %s", base).isNotEmpty().hasSizeLessThan(nodes));
            assertThat(hostedElsewhere.get(first.httpUri())).as("the instances split the nodes")
                    .doesNotContainAnyElementsOf(hostedElsewhere.get(second.httpUri()));

            JsonNode pressureA = get(first.httpUri(), "api/pressure").body();
            JsonNode pressureB = get(second.httpUri(), "api/pressure").body();
            assertThat(pressureA).isEqualTo(pressureB);
            JsonNode killsA = get(first.httpUri(), "api/kills?limit=100").body();
            JsonNode killsB = get(second.httpUri(), "api/kills?limit=100").body();
            assertThat(killsA).isEqualTo(killsB);
            assertThat(killsA.path("kills")).extracting(k -> k.path("victimPid").asInt())
                    .containsExactlyInAnyOrderElementsOf(kills.stream().map(KillEvent::getVictimPid).toList());

            Response unknown = get(second.httpUri(), "api/nodes/99");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body().path("code").asText()).isEqualTo("unknown_node");
        }
    }

    private static CoordinatorService.Spec instance(CoordinatorConfig config, Path stateRoot, String name)
            throws IOException {
        Path dir = Files.createTempDirectory(stateRoot, name + "-");
        return new CoordinatorService.Spec(KAFKA.bootstrapServers(), config, "127.0.0.1", 0, dir,
                CoordinatorService.Spec.DEFAULT_COMMIT_INTERVAL);
    }

    private record Response(int status, JsonNode body) {
    }

    private static Response get(URI base, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), JSON.readTree(r.body()));
    }
}
