package dev.oomsim.service;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A service's operational endpoint: {@code GET /metrics} in the Prometheus text format and {@code GET /health}
 * as JSON. Bound to 127.0.0.1 unless configured otherwise (compose binds 0.0.0.0 inside its network).
 */
public final class MetricsServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving.
     *
     * @param bindAddress e.g. {@code 127.0.0.1}
     * @param port        0 picks a free port (see {@link #port()})
     */
    public static MetricsServer start(String bindAddress, int port, PrometheusMeterRegistry registry,
            Supplier<Health> health) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
            server.createContext("/metrics", exchange -> {
                if (!isGet(exchange)) {
                    return;
                }
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
            });
            server.createContext("/health", exchange -> {
                if (!isGet(exchange)) {
                    return;
                }
                Health h;
                try {
                    h = health.get();
                } catch (RuntimeException e) {
                    h = Health.down("health check failed: " + e.getMessage());
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", h.up() ? "UP" : "DOWN");
                body.putAll(h.details());
                respond(exchange, h.up() ? 200 : 503, "application/json", JSON.writeValueAsString(body));
            });
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "metrics-http-" + port);
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return new MetricsServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + bindAddress + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private static boolean isGet(HttpExchange exchange) throws IOException {
        if ("GET".equals(exchange.getRequestMethod())) {
            return true;
        }
        respond(exchange, 405, "application/json", "{\"code\":405,\"message\":\"only GET is served here\"}");
        return false;
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
