package dev.oomsim.service;

import java.nio.ByteBuffer;
import java.util.Objects;

import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.topics.TopicSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends records a service cannot process to the dead-letter topic, with source topic, partition, offset, the
 * original bytes and a specific reason, and counts them ({@code oomsim.dead.letters}, tagged by reason
 * category). Bad input never crashes a service and never vanishes. Used from the owning service thread.
 */
public final class DeadLetters {

    private final TopicSpec<byte[], DeadLetter> topic;
    private final String service;
    private final MeterRegistry registry;

    public DeadLetters(TopicSpec<byte[], DeadLetter> topic, String service, MeterRegistry registry) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.service = Objects.requireNonNull(service, "service");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The dead-letter record for {@code source}, not yet sent. */
    public DeadLetter letterFor(ConsumerRecord<byte[], byte[]> source, RejectReason reason, long nowMs) {
        return DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setKey(source.key() == null ? null : ByteBuffer.wrap(source.key()))
                .setValue(source.value() == null ? null : ByteBuffer.wrap(source.value()))
                .setReason(reason.message())
                .setErrorClass(reason.category().label())
                .setService(service)
                .setTimestampMs(nowMs)
                .build();
    }

    /**
     * Sends the dead letter through {@code producer} (inside the caller's transaction, if any) and moves the counter.
     */
    public void send(Producer<byte[], byte[]> producer, ConsumerRecord<byte[], byte[]> source, RejectReason reason,
            long nowMs) {
        DeadLetter letter = letterFor(source, reason, nowMs);
        producer.send(new ProducerRecord<>(topic.name(), source.key(),
                topic.valueSerde().serializer().serialize(topic.name(), letter)));
        counter(reason.category()).increment();
    }

    /** The counter for one reason category (also for tests and health reports). */
    public Counter counter(DeadLetterCategory category) {
        return counter(category.label());
    }

    /** The counter for the reason category labelled {@code category}. */
    public Counter counter(String category) {
        return Counter.builder("oomsim.dead.letters")
                .description("Input records sent to the dead-letter topic")
                .tag("service", service)
                .tag("reason", category)
                .register(registry);
    }
}
