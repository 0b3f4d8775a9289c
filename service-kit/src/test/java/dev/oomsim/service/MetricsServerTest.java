package dev.oomsim.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesPrometheusTextAndHealthThatFollowsTheService() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("oomsim.requests", "node", "0").increment(3);
        AtomicBoolean up = new AtomicBoolean(true);
        try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, registry,
                () -> up.get() ? Health.up(Map.of("node", 0)) : Health.down("consumer lost its partition"))) {
            HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("oomsim_requests_total{node=\"0\"} 3.0");

            HttpResponse<String> healthy = get(server, "/health");
            assertThat(healthy.statusCode()).isEqualTo(200);
            assertThat(healthy.body()).isEqualTo("{\"status\":\"UP\",\"node\":0}");

            up.set(false);
            HttpResponse<String> down = get(server, "/health");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).isEqualTo("{\"status\":\"DOWN\",\"reason\":\"consumer lost its partition\"}");
        }
    }

    @Test
    void refusesOtherMethodsWithAJsonError() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, registry, () -> Health.up(Map.of()))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(405);
            assertThat(r.body()).contains("\"code\":405");
        }
    }

    private HttpResponse<String> get(MetricsServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
