package dev.oomsim.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.oomsim.schemas.EventType;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one oomsim event type in Avro <em>single-object encoding</em>: the marker {@code C3 01},
 * the writer schema's CRC-64-AVRO fingerprint, then the binary record. The decoder resolves every recorded
 * version of the type ({@link EventType#history()}), so records written by an older build still decode.
 *
 * <p>{@code null} bytes (a tombstone) decode to {@code null}; anything else that is not a record of this type
 * fails with an {@link EventDecodingException} naming the {@link DecodeFailure}. Thread-safe.
 */
public final class AvroEventSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private static final Map<Long, EventType> ALL_FINGERPRINTS = indexFingerprints();
    private static final Map<Class<?>, AvroEventSerde<?>> BY_CLASS = new ConcurrentHashMap<>();

    private final EventType type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroEventSerde(EventType type, List<Schema> extraHistory) {
        this.type = type;
        SchemaStore.Cache store = new SchemaStore.Cache();
        type.history().forEach(store::addSchema);
        extraHistory.forEach(store::addSchema);
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), type.schema());
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), type.schema(), store);
    }

    /**
     * The serde of {@code recordClass}, built once per JVM (building one loads the schema history and computes its
     * fingerprints: too dear per record, and the serde is thread-safe).
     */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> AvroEventSerde<T> of(Class<T> recordClass) {
        return (AvroEventSerde<T>) BY_CLASS.computeIfAbsent(recordClass,
                c -> new AvroEventSerde<>(EventType.of(recordClass), List.of()));
    }

    /**
     * A serde that also resolves writer schemas not recorded in the build's history (e.g. a test's deliberately
     * old version, or versions another deployment registered).
     */
    public static <T extends SpecificRecord> AvroEventSerde<T> withExtraHistory(Class<T> recordClass,
            List<Schema> writerSchemas) {
        return new AvroEventSerde<>(EventType.of(recordClass), List.copyOf(writerSchemas));
    }

    public EventType type() {
        return type;
    }

    /** Encodes one event. */
    public byte[] encode(T event) {
        try {
            ByteBuffer buf = encoder.encode(event);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + type.simpleName(), e);
        }
    }

    /**
     * Decodes one event; {@code null} in, {@code null} out.
     *
     * @throws EventDecodingException when the bytes are not a record of this type, with the reason
     */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            long fingerprint = fingerprintOf(bytes);
            EventType other = ALL_FINGERPRINTS.get(fingerprint);
            if (other != null && other != type) {
                throw new EventDecodingException(DecodeFailure.WRONG_EVENT_TYPE, type.simpleName(),
                        "the record is a " + other.simpleName(), e);
            }
            throw new EventDecodingException(DecodeFailure.UNKNOWN_SCHEMA, type.simpleName(),
                    String.format("no known schema has fingerprint %016x", fingerprint), e);
        } catch (BadHeaderException e) {
            throw new EventDecodingException(DecodeFailure.NOT_SINGLE_OBJECT_ENCODED, type.simpleName(),
                    bytes.length + " bytes without the single-object marker C3 01", e);
        } catch (EOFException e) {
            throw new EventDecodingException(DecodeFailure.TRUNCATED, type.simpleName(),
                    "payload ends early after " + bytes.length + " bytes", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            // The record ran past the payload while decoding a field: still truncation, Avro just noticed it late.
            DecodeFailure failure = e.getCause() instanceof EOFException ? DecodeFailure.TRUNCATED
                    : DecodeFailure.CORRUPT;
            throw new EventDecodingException(failure, type.simpleName(), String.valueOf(e.getMessage()), e);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : encode(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return decode(data);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // fully configured by its event type
    }

    @Override
    public void close() {
        // nothing held
    }

    private static long fingerprintOf(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static Map<Long, EventType> indexFingerprints() {
        Map<Long, EventType> index = new HashMap<>();
        for (EventType t : EventType.values()) {
            index.put(SchemaNormalization.parsingFingerprint64(t.schema()), t);
            for (Schema s : t.history()) {
                index.put(SchemaNormalization.parsingFingerprint64(s), t);
            }
        }
        return Map.copyOf(index);
    }
}
