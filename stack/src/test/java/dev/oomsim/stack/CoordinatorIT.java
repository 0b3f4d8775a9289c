package dev.oomsim.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.coordinator.CoordinatorService;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real node agents and the coordinator in one {@link OomsimCluster} on a real broker: a scenario drives the machine to
 * a dozen OOM kills, and the coordinator's HTTP API shows what a user would look for — every node with its zones and
 * watermark level, every kill with its explanation, the oom_lock's grants — and answers an unknown node with a JSON
 * 404.
 */
class CoordinatorIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theApiShowsEveryNodeEveryKillWithItsExplanationAndTheLock() throws IOException, InterruptedException {
        Scenario scenario = ScenarioParser.parse(new ObjectMapper(new YAMLFactory())
                .readValue(Path.of("..", "scenarios", "1-node-oom-report-ratelimit.yaml").toFile(), Object.class));
        Topics topics = new Topics(KAFKA.uniqueTopic("coordinator") + ".", scenario.nodes().size());
        try (OomsimCluster cluster = OomsimCluster.builder(scenario).bootstrapServers(KAFKA.bootstrapServers())
                .topics(topics).coordinator("127.0.0.1", 0).start()) {
            await().atMost(DEADLINE).until(cluster::isLive);
            CoordinatorService coordinator = cluster.coordinator().orElseThrow();
            await().atMost(DEADLINE).until(coordinator::isReady);
            URI base = cluster.coordinatorUri().orElseThrow();

            ScenarioPlayback.play(scenario, cluster);
            List<KillEvent> kills = KAFKA.readAll(topics.kills().name()).stream()
                    .map(r -> topics.kills().valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
            assertThat(kills).as("the scenario kills many times").hasSizeGreaterThan(5);
            long globalKills = kills.stream().filter(k -> k.getLockToken() >= 0).count();

            await().atMost(DEADLINE).untilAsserted(() -> {
                JsonNode pressure = get(base, "api/pressure").body();
                assertThat(pressure.path("cluster").path("kills").asLong()).isEqualTo(kills.size());
                assertThat(pressure.path("nodes")).hasSize(scenario.nodes().size());
                for (JsonNode node : pressure.path("nodes")) {
                    assertThat(node.path("zones").size()).as("zones of %s", node.path("scope")).isPositive();
                    assertThat(node.path("level").asText()).isIn("ABOVE_HIGH", "LOW_TO_HIGH", "MIN_TO_LOW",
                            "BELOW_MIN");
                    assertThat(node.path("zones").get(0).path("managedPages").asLong()).isPositive();
                }
            });

            JsonNode listed = get(base, "api/kills?limit=100").body().path("kills");
            assertThat(listed).hasSize(kills.size());
            assertThat(listed).allSatisfy(k -> {
                assertThat(k.path("victimPid").asInt()).isPositive();
                assertThat(k.path("constraint").asText()).startsWith("CONSTRAINT_");
                assertThat(k.path("candidates").size()).as("top candidates with their points").isPositive();
                assertThat(k.path("candidates").get(0).has("points")).isTrue();
                assertThat(k.path("log").size()).as("the kernel's lines").isPositive();
            });
            assertThat(listed).extracting(k -> k.path("victimPid").asInt())
                    .containsExactlyInAnyOrderElementsOf(kills.stream().map(KillEvent::getVictimPid).toList());

            if (globalKills > 0) {
                await().atMost(DEADLINE).untilAsserted(() -> assertThat(get(base, "api/lock").body()
                        .path("grants").asLong()).isGreaterThanOrEqualTo(globalKills));
            }

            Response unknown = get(base, "api/nodes/99");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body().path("code").asText()).isEqualTo("unknown_node");
            assertThat(unknown.body().path("message").asText()).contains("99");
        }
    }

    private record Response(int status, JsonNode body) {
    }

    private static Response get(URI base, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), JSON.readTree(r.body()));
    }
}
