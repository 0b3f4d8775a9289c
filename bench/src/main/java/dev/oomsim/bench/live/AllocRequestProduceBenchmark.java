package dev.oomsim.bench.live;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import dev.oomsim.bench.Baseline;
import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.bench.SampleEvents;
import dev.oomsim.bench.Target;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How fast a load generator can feed {@code alloc-requests}: one producer building and sending allocation requests
 * (a {@link NodeCommand} around an {@link AllocRequest}) keyed by node through the catalogue's serdes, with the
 * producer settings of the produce baseline (acks=all, linger 5 ms, one partition). Measured from the first send to
 * the last acknowledgement. Target: at least 0.7× the raw produce baseline (the records are smaller than the
 * baseline's, so this is mostly the cost of building and encoding events).
 */
public final class AllocRequestProduceBenchmark implements LiveBenchmark {

    @Override
    public String name() {
        return "alloc-requests produce";
    }

    @Override
    public List<BenchRow> run(BenchContext context) throws Exception {
        Topics topics = new Topics("oomsim-bench-" + UUID.randomUUID().toString().substring(0, 8) + ".", 1);
        TopicSpec<Integer, NodeCommand> spec = topics.allocRequests();
        new TopicEnsurer(context.admin(), (short) 1).ensure(List.of(spec));

        long count = context.settings().produceRecords();
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "oomsim-bench-alloc-producer");
        AtomicReference<Exception> failure = new AtomicReference<>();
        long bytes = 0;
        long start;
        long end;
        try (KafkaProducer<Integer, NodeCommand> producer = new KafkaProducer<>(props,
                spec.keySerde().serializer(), spec.valueSerde().serializer())) {
            // One send outside the timing: metadata fetch and producer id, as ProducerPerformance's first record pays.
            producer.send(new ProducerRecord<>(spec.name(), 1, SampleEvents.nodeCommand(-1))).get();
            start = System.nanoTime();
            for (long i = 0; i < count; i++) {
                NodeCommand command = SampleEvents.nodeCommand(i);
                int node = ((AllocRequest) command.getBody()).getPreferredNode();
                producer.send(new ProducerRecord<>(spec.name(), node, command), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            end = System.nanoTime();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("alloc-requests produce failed: " + failure.get().getMessage(),
                    failure.get());
        }
        int size = spec.valueSerde().serializer().serialize(spec.name(), SampleEvents.nodeCommand(count / 2)).length;
        double perSec = count / ((end - start) / 1e9);
        return List.of(BenchRow.against("alloc-requests produce, NodeCommand Avro (" + size + " B)", perSec, "rec/s",
                context.baselines(), Baseline.PRODUCE_THROUGHPUT, Target.atLeastTimesBaseline(0.7)));
    }
}
