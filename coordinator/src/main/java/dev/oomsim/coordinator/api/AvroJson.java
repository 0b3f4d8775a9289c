package dev.oomsim.coordinator.api;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as the API's JSON (docs/coordinator.md): field names as in the schema, enums as their symbols, unions
 * as the plain value or {@code null} (not Avro's {@code {"type": value}} wrapping), maps as objects, bytes as base64.
 */
public final class AvroJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private AvroJson() {
    }

    /** The record as a JSON object; {@code null} gives JSON null. */
    public static JsonNode toJson(IndexedRecord record) {
        if (record == null) {
            return F.nullNode();
        }
        return value(record.getSchema(), record);
    }

    private static JsonNode value(Schema schema, Object v) {
        if (v == null) {
            return F.nullNode();
        }
        switch (schema.getType()) {
            case RECORD -> {
                IndexedRecord r = (IndexedRecord) v;
                ObjectNode o = F.objectNode();
                for (Schema.Field f : schema.getFields()) {
                    o.set(f.name(), value(f.schema(), r.get(f.pos())));
                }
                return o;
            }
            case UNION -> {
                int branch = GenericData.get().resolveUnion(schema, v);
                return value(schema.getTypes().get(branch), v);
            }
            case ENUM, STRING -> {
                return F.textNode(v.toString());
            }
            case ARRAY -> {
                ArrayNode a = F.arrayNode();
                for (Object item : (Collection<?>) v) {
                    a.add(value(schema.getElementType(), item));
                }
                return a;
            }
            case MAP -> {
                ObjectNode o = F.objectNode();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    o.set(e.getKey().toString(), value(schema.getValueType(), e.getValue()));
                }
                return o;
            }
            case INT -> {
                return F.numberNode(((Number) v).intValue());
            }
            case LONG -> {
                return F.numberNode(((Number) v).longValue());
            }
            case FLOAT, DOUBLE -> {
                return F.numberNode(((Number) v).doubleValue());
            }
            case BOOLEAN -> {
                return F.booleanNode((Boolean) v);
            }
            case BYTES -> {
                ByteBuffer b = ((ByteBuffer) v).duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                return F.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            case FIXED -> {
                return F.textNode(Base64.getEncoder().encodeToString(((GenericFixed) v).bytes()));
            }
            case NULL -> {
                return F.nullNode();
            }
            default -> throw new IllegalArgumentException("no JSON rendering for Avro type " + schema.getType());
        }
    }
}
