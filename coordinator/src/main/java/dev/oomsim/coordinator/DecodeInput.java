package dev.oomsim.coordinator;

import java.nio.ByteBuffer;

import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.service.DeadLetterCategory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes one input topic's values with the catalogue serde inside the topology, so a record that does not decode
 * (bad bytes, another event type) becomes a {@link Bad} dead letter that the topology itself writes to
 * {@code dead-letter}: in the same transaction as the rest of the task's output under exactly-once v2, with the
 * source topic, partition and offset. The counter {@value #COUNTER} (reason {@code undecodable}) moves, and the
 * next record is folded as usual. Tombstones (null values) are dropped.
 */
final class DecodeInput<T> implements Processor<byte[], byte[], byte[], Object> {

    /** The counter (Prometheus: {@code oomsim_coordinator_dead_letters_total}), in Micrometer's global registry. */
    static final String COUNTER = "oomsim.coordinator.dead.letters";

    /** A record that did not decode, as its dead letter. */
    record Bad(DeadLetter letter) {
    }

    private final Deserializer<T> deserializer;
    private final String topic;
    private ProcessorContext<byte[], Object> context;

    DecodeInput(TopicSpec<?, T> spec) {
        this.deserializer = spec.valueSerde().deserializer();
        this.topic = spec.name();
    }

    /** The dead-letter counter for {@code reason} in {@code registry}. */
    static Counter counter(MeterRegistry registry, String reason) {
        return Counter.builder(COUNTER).description("Input records the coordinator sent to the dead-letter topic")
                .tag("reason", reason).register(registry);
    }

    /** Moves the global registry's counter for {@code reason}. */
    static void count(String reason) {
        counter(Metrics.globalRegistry, reason).increment();
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        T value;
        try {
            value = deserializer.deserialize(topic, record.value());
        } catch (RuntimeException e) {
            RecordMetadata m = context.recordMetadata().orElse(null);
            String where = m == null ? topic : m.topic() + "-" + m.partition() + "@" + m.offset();
            DeadLetter letter = DeadLetter.newBuilder()
                    .setSourceTopic(m == null ? topic : m.topic())
                    .setSourcePartition(m == null ? -1 : m.partition())
                    .setSourceOffset(m == null ? -1 : m.offset())
                    .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                    .setValue(ByteBuffer.wrap(record.value()))
                    .setReason("cannot decode the record from " + where + ": " + e.getMessage())
                    .setErrorClass(DeadLetterCategory.UNDECODABLE.label())
                    .setService(CoordinatorTopology.SERVICE)
                    .setTimestampMs(record.timestamp())
                    .build();
            count(DeadLetterCategory.UNDECODABLE.label());
            context.forward(record.withValue(new Bad(letter)));
            return;
        }
        context.forward(record.withValue(value));
    }
}
