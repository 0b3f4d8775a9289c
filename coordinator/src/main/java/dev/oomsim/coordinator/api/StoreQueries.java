package dev.oomsim.coordinator.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oomsim.coordinator.CoordinatorTopology;
import dev.oomsim.coordinator.KillKeys;
import dev.oomsim.coordinator.NodePartitioner;
import dev.oomsim.coordinator.StoreNames;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.PressureView;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The API's answers over Kafka Streams interactive queries. A key's answer comes from the instance that owns it
 * ({@link KafkaStreams#queryMetadataForKey}; a node through {@link NodePartitioner}, as the topology places it): this
 * one reads its local store, another is asked over HTTP with {@code ?local=true} under the forward timeout. Answers
 * that span keys ({@code /api/pressure}'s nodes, {@code /api/kills}) gather every instance's local store. A store that
 * is not queryable yet is {@link ApiException#restoring}.
 */
public final class StoreQueries {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Serializer<String> CLUSTER_KEY = Serdes.String().serializer();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final HttpClient http;
    private final Duration forwardTimeout;

    public StoreQueries(KafkaStreams streams, HostInfo self, Duration forwardTimeout) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.self = Objects.requireNonNull(self, "self");
        this.forwardTimeout = Objects.requireNonNull(forwardTimeout, "forwardTimeout");
        this.http = HttpClient.newBuilder().connectTimeout(forwardTimeout).build();
    }

    /** {@code /api/pressure}: the cluster view and every node's view, by node id. */
    public JsonNode pressure(boolean local) {
        ObjectNode body = F.objectNode();
        if (local) {
            // An instance may host node views and not the cluster view (one task), or the other way round.
            PressureView cluster = readLocal(StoreNames.CLUSTER_PRESSURE, String.class, PressureView.class,
                    s -> s.get(CoordinatorTopology.CLUSTER_KEY)).orElse(null);
            body.set("cluster", cluster == null ? F.nullNode() : AvroJson.toJson(cluster));
            ArrayNode nodes = body.putArray("nodes");
            List<PressureView> views = readLocal(StoreNames.NODE_PRESSURE, Integer.class, PressureView.class, s -> {
                List<PressureView> all = new ArrayList<>();
                try (KeyValueIterator<Integer, PressureView> it = s.all()) {
                    it.forEachRemaining(kv -> all.add(kv.value));
                }
                return all;
            }).orElse(List.of());
            views.stream().sorted(Comparator.comparing(v -> v.getNode() == null ? Integer.MAX_VALUE : v.getNode()))
                    .forEach(v -> nodes.add(AvroJson.toJson(v)));
            return body;
        }
        JsonNode cluster = F.nullNode();
        List<JsonNode> nodes = new ArrayList<>();
        for (HostInfo host : hostsOf(StoreNames.NODE_PRESSURE, StoreNames.CLUSTER_PRESSURE)) {
            JsonNode part = host.equals(self) ? pressure(true) : forward(host, "/api/pressure?local=true");
            if (part.hasNonNull("cluster")) {
                cluster = part.get("cluster");
            }
            part.path("nodes").forEach(nodes::add);
        }
        nodes.sort(Comparator.comparingInt(n -> n.path("node").asInt(Integer.MAX_VALUE)));
        body.set("cluster", cluster);
        body.putArray("nodes").addAll(nodes);
        return body;
    }

    /**
     * {@code /api/nodes/{id}}: one node's view, read from the instance whose task owns the node's partition (this
     * one, or another asked over HTTP); {@link ApiException#unknownNode} when it never reported.
     */
    public JsonNode node(int node, boolean local) {
        KeyQueryMetadata owner = metadata(StoreNames.NODE_PRESSURE, node,
                () -> streams.queryMetadataForKey(StoreNames.NODE_PRESSURE, node, NodePartitioner.INSTANCE));
        if (!local && !owner.activeHost().equals(self)) {
            return forward(owner.activeHost(), "/api/nodes/" + node + "?local=true");
        }
        PressureView view;
        try {
            view = streams.store(StoreQueryParameters.fromNameAndType(StoreNames.NODE_PRESSURE,
                    QueryableStoreTypes.<Integer, PressureView>keyValueStore()).withPartition(owner.partition()))
                    .get(node);
        } catch (InvalidStateStoreException e) {
            throw ApiException.restoring("node " + node + "'s partition " + owner.partition() + " of "
                    + StoreNames.NODE_PRESSURE + " is not queryable here (restoring, or moved to another instance): "
                    + e.getMessage(), e);
        }
        if (view == null) {
            throw ApiException.unknownNode(node);
        }
        return AvroJson.toJson(view);
    }

    /** {@code /api/lock}: the cluster view's {@code lock}, from the instance owning the cluster view. */
    public JsonNode lock(boolean local) {
        if (!local) {
            HostInfo owner = clusterOwner();
            if (!owner.equals(self)) {
                return forward(owner, "/api/lock?local=true");
            }
        }
        JsonNode lock = localCluster().path("lock");
        if (lock.isMissingNode() || lock.isNull()) {
            throw ApiException.notFound("no oom_lock claim has been folded yet");
        }
        return lock;
    }

    /** {@code /api/dead-letters}: the cluster view's dead-letter tallies with their total. */
    public JsonNode deadLetters(boolean local) {
        if (!local) {
            HostInfo owner = clusterOwner();
            if (!owner.equals(self)) {
                return forward(owner, "/api/dead-letters?local=true");
            }
        }
        ObjectNode body = F.objectNode();
        ArrayNode byReason = F.arrayNode();
        long total = 0;
        for (JsonNode tally : localCluster().path("deadLetters")) {
            total += tally.path("count").asLong();
            byReason.add(tally);
        }
        body.put("total", total);
        body.set("byReason", byReason);
        return body;
    }

    private HostInfo clusterOwner() {
        return metadata(StoreNames.CLUSTER_PRESSURE, CoordinatorTopology.CLUSTER_KEY,
                () -> streams.queryMetadataForKey(StoreNames.CLUSTER_PRESSURE, CoordinatorTopology.CLUSTER_KEY,
                        CLUSTER_KEY)).activeHost();
    }

    private JsonNode localCluster() {
        PressureView view = readLocal(StoreNames.CLUSTER_PRESSURE, String.class, PressureView.class,
                s -> s.get(CoordinatorTopology.CLUSTER_KEY))
                .orElseThrow(() -> ApiException.restoring("the cluster view is not hosted here (it moved to another "
                        + "instance): ask again", null));
        if (view == null) {
            throw ApiException.notFound("no cluster view yet: nothing has been folded");
        }
        return AvroJson.toJson(view);
    }

    /** {@code /api/kills}: kills at or after {@code sinceMs}, newest first, at most {@code limit}. */
    public JsonNode kills(long sinceMs, int limit, boolean local) {
        List<JsonNode> kills = new ArrayList<>();
        if (local) {
            kills.addAll(readLocal(StoreNames.RECENT_KILLS, String.class, KillEvent.class,
                    store -> {
                        List<JsonNode> found = new ArrayList<>();
                        try (KeyValueIterator<String, KillEvent> it = store.reverseRange(KillKeys.from(sinceMs),
                                null)) {
                            while (it.hasNext() && found.size() < limit) {
                                KeyValue<String, KillEvent> kv = it.next();
                                ObjectNode kill = (ObjectNode) AvroJson.toJson(kv.value);
                                kill.put("timestampMs", KillKeys.timestampOf(kv.key));
                                found.add(kill);
                            }
                        }
                        return found;
                    }).orElse(List.of()));
        } else {
            for (HostInfo host : hostsOf(StoreNames.RECENT_KILLS)) {
                JsonNode part = host.equals(self) ? kills(sinceMs, limit, true)
                        : forward(host, "/api/kills?local=true&since=" + sinceMs + "&limit=" + limit);
                part.path("kills").forEach(kills::add);
            }
            kills.sort(Comparator.comparing((JsonNode k) -> KillKeys.of(k.path("timestampMs").asLong(),
                    k.path("requestId").asText())).reversed());
        }
        ObjectNode body = F.objectNode();
        body.putArray("kills").addAll(kills.subList(0, Math.min(limit, kills.size())));
        return body;
    }

    /** Where {@code key} of {@code store} lives; {@link ApiException#restoring} while no instance owns it. */
    private KeyQueryMetadata metadata(String store, Object key, Supplier<KeyQueryMetadata> lookup) {
        requireQueryable();
        KeyQueryMetadata metadata;
        try {
            metadata = lookup.get();
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw ApiException.restoring("the owner of '" + key + "' in " + store + " is not known yet: "
                    + e.getMessage(), e);
        }
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
            throw ApiException.restoring("no instance owns '" + key + "' in " + store + " yet", null);
        }
        return metadata;
    }

    private Collection<HostInfo> hostsOf(String... stores) {
        requireQueryable();
        Set<HostInfo> hosts = new LinkedHashSet<>();
        try {
            for (String store : stores) {
                for (StreamsMetadata m : streams.streamsMetadataForStore(store)) {
                    hosts.add(m.hostInfo());
                }
            }
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw ApiException.restoring("the stores' instances are not known yet: " + e.getMessage(), e);
        }
        return hosts;
    }

    private void requireQueryable() {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            throw ApiException.restoring("Kafka Streams is " + state + ", not RUNNING", null);
        }
    }

    /**
     * {@code read} over this instance's part of {@code store}; empty when this instance hosts no task of it (another
     * one does: the gathering answers ask every host). {@link ApiException#restoring} while its tasks restore.
     */
    private <K, V, T> Optional<T> readLocal(String store, Class<K> keyType, Class<V> valueType,
            Function<ReadOnlyKeyValueStore<K, V>, T> read) {
        requireQueryable();
        try {
            return Optional.ofNullable(read.apply(streams.store(StoreQueryParameters.fromNameAndType(store,
                    QueryableStoreTypes.<K, V>keyValueStore()))));
        } catch (InvalidStateStoreException e) {
            if (!hostsOf(store).contains(self)) {
                return Optional.empty();
            }
            throw ApiException.restoring("store " + store + " is not queryable yet: " + e.getMessage(), e);
        }
    }

    /** GETs {@code pathAndQuery} from {@code host}; its error answers come back as the same {@link ApiException}. */
    private JsonNode forward(HostInfo host, String pathAndQuery) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(forwardTimeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ApiException.ownerUnreachable("instance " + host.host() + ":" + host.port() + " did not answer "
                    + pathAndQuery + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.ownerUnreachable("interrupted while asking " + host.host() + ":" + host.port(), e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw ApiException.ownerUnreachable("instance " + host.host() + ":" + host.port() + " answered "
                    + pathAndQuery + " with something that is not JSON (status " + response.statusCode() + ")", e);
        }
        if (response.statusCode() != 200) {
            throw new ApiException(response.statusCode(), body.path("code").asText("owner_unreachable"),
                    body.path("message").asText("instance " + host + " answered " + response.statusCode()));
        }
        return body;
    }
}
