package dev.oomsim.coordinator;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.oomsim.schemas.serde.AvroEventSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serde of a repartition topic that carries several oomsim event types: one tag byte (the type's index in the
 * list), then the event in the catalogue's single-object encoding. Internal to the topology.
 */
final class TaggedSerde implements Serde<SpecificRecord>, Serializer<SpecificRecord>, Deserializer<SpecificRecord> {

    private final List<Class<? extends SpecificRecord>> types;

    @SafeVarargs
    TaggedSerde(Class<? extends SpecificRecord>... types) {
        this.types = List.of(types);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public byte[] serialize(String topic, SpecificRecord data) {
        if (data == null) {
            return null;
        }
        int tag = types.indexOf(data.getClass());
        if (tag < 0) {
            throw new SerializationException("a " + data.getClass().getSimpleName() + " has no tag in " + types);
        }
        byte[] body = ((AvroEventSerde) AvroEventSerde.of(data.getClass())).encode(data);
        byte[] out = new byte[body.length + 1];
        out[0] = (byte) tag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    @Override
    public SpecificRecord deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < 1 || data[0] < 0 || data[0] >= types.size()) {
            throw new SerializationException("no event type has tag " + (data.length < 1 ? "(empty)" : data[0]));
        }
        return AvroEventSerde.of(types.get(data[0])).decode(Arrays.copyOfRange(data, 1, data.length));
    }

    @Override
    public Serializer<SpecificRecord> serializer() {
        return this;
    }

    @Override
    public Deserializer<SpecificRecord> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // configured by its types
    }

    @Override
    public void close() {
        // nothing held
    }
}
