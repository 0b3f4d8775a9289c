package dev.oomsim.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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

/**
 * {@code POST /api/explain} on a coordinator whose Kafka Streams has not started (it needs none): a real OOM report
 * pasted as the body comes back rebuilt and checked against the kernel's decision, with its what-if, as
 * {@code oomsim explain --json} says it.
 */
class ExplainEndpointTest {

    /** RHEL 7, two NUMA nodes: the kernel killed mysqld 6576 with score 651 (oom-report's own test report). */
    private static final Path REPORT = Path.of("..", "oom-report", "src", "test", "resources", "reports",
            "rhel7-3.10-x86_64-2-nodes.txt");
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

    private static HttpResponse<String> post(String query, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(service.httpUri().resolve("api/explain" + query))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPastedReportIsRebuiltAndCheckedAgainstTheKernelsVictim() throws Exception {
        HttpResponse<String> response = post("", Files.readString(REPORT));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode report = JSON.readTree(response.body()).path("reports").get(0);
        assertThat(report.path("kernel").path("victim").asInt()).isEqualTo(6576);
        assertThat(report.path("kernel").path("score").asInt()).isEqualTo(651);
        assertThat(report.path("model").path("victim").asInt()).isEqualTo(6576);
        assertThat(report.path("matches_kernel").asBoolean()).isTrue();
        assertThat(report.path("candidates").get(0).path("pid").asInt()).isEqualTo(6576);
        assertThat(report.path("text").asText()).contains("mysqld");
    }

    @Test
    void aWhatIfComesBesideTheOriginal() throws Exception {
        HttpResponse<String> response = post("?set=6576.oom_score_adj%3D-1000", Files.readString(REPORT));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode report = JSON.readTree(response.body()).path("reports").get(0);
        assertThat(report.path("model").path("victim").asInt()).isEqualTo(6576);
        JsonNode whatIf = report.path("what_if");
        assertThat(whatIf.path("what_if").asText()).isEqualTo("--set 6576.oom_score_adj=-1000");
        assertThat(whatIf.path("model").path("victim").asInt()).as("mysqld is now unkillable").isNotEqualTo(6576);
        assertThat(report.path("text").asText()).contains("--- what if --set 6576.oom_score_adj=-1000:");
    }

    @Test
    void aBodyWithNoReportIs400NoReport() throws Exception {
        HttpResponse<String> response = post("", "Dec  7 10:00:00 host sshd[1]: session opened\n");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("code").asText()).isEqualTo("no_report");
        assertThat(body.path("message").asText()).contains("invoked oom-killer");
    }

    @Test
    void aMalformedWhatIfIs400BadParameter() throws Exception {
        HttpResponse<String> response = post("?set=6576%3D5", Files.readString(REPORT));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("code").asText()).isEqualTo("bad_parameter");
        assertThat(body.path("message").asText()).contains("PID.oom_score_adj=N");
    }

    @Test
    void explainIsPostOnly() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(service.httpUri().resolve("api/explain"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(JSON.readTree(response.body()).path("code").asText()).isEqualTo("method_not_allowed");
    }
}
