package dev.oomsim.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomsim.coordinator.CoordinatorConfig;
import dev.oomsim.coordinator.CoordinatorService;
import dev.oomsim.schemas.topics.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The API's error answers, from a coordinator whose Kafka Streams has not started (no broker needed): bad
 * parameters are 400 before any store is asked, a store that cannot be queried yet is 503 {@code restoring}.
 */
class ApiErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path stateDir;

    private static CoordinatorService service;

    @BeforeAll
    static void build() {
        service = new CoordinatorService(CoordinatorService.Spec.local("127.0.0.1:9", CoordinatorConfig.defaults(
                Topics.defaults(2))).withStateDir(stateDir));
    }

    @AfterAll
    static void close() {
        service.close();
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(service.httpUri().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @CsvSource({
        "api/kills?limit=0, bad_parameter, limit",
        "api/kills?limit=1001, bad_parameter, limit",
        "api/kills?since=yesterday, bad_parameter, since",
        "api/kills?since=-5, bad_parameter, since",
        "api/nodes/abc, bad_parameter, node id",
        "api/nodes/-1, bad_parameter, node id",
    })
    void badParametersAre400(String path, String code, String mentions) throws Exception {
        HttpResponse<String> response = get(path);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("code").asText()).isEqualTo(code);
        assertThat(body.path("message").asText()).contains(mentions);
    }

    @ParameterizedTest
    @CsvSource({"api/pressure", "api/nodes/0", "api/kills", "api/lock", "api/dead-letters"})
    void storesNotQueryableYetAre503Restoring(String path) throws Exception {
        HttpResponse<String> response = get(path);

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("code").asText()).isEqualTo("restoring");
        assertThat(body.path("message").asText()).contains("CREATED");
    }

    @Test
    void healthIsDownUntilStreamsRuns() throws Exception {
        HttpResponse<String> response = get("health");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("DOWN");
        assertThat(body.path("streams").asText()).isEqualTo("CREATED");
    }

    @Test
    void unknownPathsAre404NotFound() throws Exception {
        HttpResponse<String> api = get("api/nothing");
        HttpResponse<String> file = get("nothing.html");
        HttpResponse<String> escape = get("../pom.xml");

        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(api.body()).path("code").asText()).isEqualTo("not_found");
        assertThat(file.statusCode()).isEqualTo(404);
        assertThat(escape.statusCode()).isEqualTo(404);
    }

    @Test
    void theDashboardIsServedFromTheJar() throws Exception {
        HttpResponse<String> index = get("/");
        HttpResponse<String> script = get("app.js");

        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(index.body()).contains("<script src=\"app.js\">").doesNotContain("https://");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("api/pressure").contains("api/kills");
    }

    @Test
    void metricsAreThePrometheusText() throws Exception {
        HttpResponse<String> response = get("metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("jvm_memory_used_bytes");
    }

    @Test
    void onlyGetIsServed() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(service.httpUri().resolve("api/pressure"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
    }

    @Test
    void anEphemeralPortIsBoundAndReported() {
        assertThat(service.httpPort()).isPositive();
        assertThat(service.httpUri()).isEqualTo(URI.create("http://127.0.0.1:" + service.httpPort() + "/"));
    }
}
