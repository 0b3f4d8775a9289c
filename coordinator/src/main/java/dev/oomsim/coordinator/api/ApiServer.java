package dev.oomsim.coordinator.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.oomsim.service.Health;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's HTTP server (docs/coordinator.md, "HTTP API"): the JSON API over {@link StoreQueries}, a pasted
 * OOM report explained ({@code POST /api/explain}, {@link ExplainEndpoint}),
 * {@code /health}, {@code /metrics} and the dashboard from the jar's {@code /dashboard/} resources at {@code /}.
 * It binds before Kafka Streams starts, so the bound port can be the instance's {@code application.server};
 * {@link #serve(StoreQueries)} hands it the queries once Streams exists.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final ObjectMapper JSON = StoreQueries.JSON;
    private static final String JSON_TYPE = "application/json";
    private static final int MAX_KILLS = 1000;
    private static final int DEFAULT_KILLS = 100;
    private static final Map<String, String> STATIC_TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png", "image/png");

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final Supplier<Health> health;
    private volatile StoreQueries queries;

    private ApiServer(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry,
                      Supplier<Health> health) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
        this.health = health;
    }

    /**
     * Binds {@code host:port} (0: a free port) and starts serving; the API answers 503 {@code restoring} until
     * {@link #serve(StoreQueries)}.
     */
    public static ApiServer start(String host, int port, PrometheusMeterRegistry registry, Supplier<Health> health) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(health, "health");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the coordinator's API on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "coordinator-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ApiServer api = new ApiServer(server, executor, registry, health);
        server.createContext("/", api::handle);
        server.setExecutor(executor);
        server.start();
        return api;
    }

    /** From now on the API answers from {@code value}. */
    public void serve(StoreQueries value) {
        this.queries = Objects.requireNonNull(value, "queries");
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                String method = "/api/explain".equals(exchange.getRequestURI().getPath()) ? "POST" : "GET";
                if (!method.equals(exchange.getRequestMethod())) {
                    respondJson(exchange, 405, error("method_not_allowed", "only " + method + " is served at "
                            + exchange.getRequestURI().getPath() + ", not " + exchange.getRequestMethod()));
                    return;
                }
                route(exchange);
            } catch (ApiException e) {
                respondJson(exchange, e.status(), error(e.code(), e.getMessage()));
            } catch (RuntimeException e) {
                log.warn("{} failed: {}", exchange.getRequestURI(), e.toString(), e);
                respondJson(exchange, 500, error("internal", e.toString()));
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        QueryParams params = QueryParams.of(exchange.getRequestURI());
        boolean local = params.flag("local");
        switch (path) {
            case "/health" -> health(exchange);
            case "/metrics" -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                    registry.scrape().getBytes(StandardCharsets.UTF_8));
            case "/api/pressure" -> respondJson(exchange, 200, queries().pressure(local));
            case "/api/lock" -> respondJson(exchange, 200, queries().lock(local));
            case "/api/dead-letters" -> respondJson(exchange, 200, queries().deadLetters(local));
            case "/api/explain" -> respond(exchange, 200, JSON_TYPE, JSON.writeValueAsBytes(ExplainEndpoint.explain(
                    exchange.getRequestBody().readNBytes(ExplainEndpoint.MAX_BYTES + 1), params)));
            case "/api/kills" -> {
                long since = params.longIn("since", 0, 0, 9_999_999_999_999L);
                int limit = (int) params.longIn("limit", DEFAULT_KILLS, 1, MAX_KILLS);
                respondJson(exchange, 200, queries().kills(since, limit, local));
            }
            default -> {
                if (path.startsWith("/api/nodes/")) {
                    respondJson(exchange, 200, queries().node(nodeId(path.substring("/api/nodes/".length())), local));
                } else if (path.startsWith("/api/")) {
                    throw ApiException.notFound("no API at " + path);
                } else {
                    staticFile(exchange, path);
                }
            }
        }
    }

    /** The {@code {id}} of {@code /api/nodes/{id}}: a node id, 0 or more. */
    static int nodeId(String segment) {
        try {
            int id = Integer.parseInt(segment);
            if (id < 0) {
                throw ApiException.badParameter("a node id is 0 or more, was " + id);
            }
            return id;
        } catch (NumberFormatException e) {
            throw ApiException.badParameter("a node id is an integer, was '" + segment + "'");
        }
    }

    private StoreQueries queries() {
        StoreQueries q = queries;
        if (q == null) {
            throw ApiException.restoring("Kafka Streams has not started yet", null);
        }
        return q;
    }

    private void health(HttpExchange exchange) throws IOException {
        Health h;
        try {
            h = health.get();
        } catch (RuntimeException e) {
            h = Health.down("health check failed: " + e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", h.up() ? "UP" : "DOWN");
        body.putAll(h.details());
        respond(exchange, h.up() ? 200 : 503, JSON_TYPE, JSON.writeValueAsBytes(body));
    }

    private void staticFile(HttpExchange exchange, String path) throws IOException {
        String name = path.equals("/") ? "index.html" : path.substring(1);
        if (name.contains("..") || name.contains("//") || name.endsWith("/")) {
            throw ApiException.notFound("no file " + path);
        }
        try (InputStream in = ApiServer.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                throw ApiException.notFound("no file " + path);
            }
            String ext = name.substring(name.lastIndexOf('.') + 1);
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            respond(exchange, 200, STATIC_TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
        }
    }

    static ObjectNode error(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("code", code);
        body.put("message", message == null ? code : message);
        return body;
    }

    private static void respondJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        respond(exchange, status, JSON_TYPE, JSON.writeValueAsBytes(body));
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
