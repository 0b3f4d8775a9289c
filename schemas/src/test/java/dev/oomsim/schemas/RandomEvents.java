package dev.oomsim.schemas;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** Seeded random instances of any event type, every field filled (unions alternate between null and a value). */
public final class RandomEvents {

    private final Random random;

    public RandomEvents(long seed) {
        this.random = new Random(seed);
    }

    @SuppressWarnings("unchecked")
    public <T extends SpecificRecord> T next(EventType type) {
        Object generic = value(type.schema());
        return (T) SpecificData.get().deepCopy(type.schema(), generic);
    }

    private Object value(Schema s) {
        switch (s.getType()) {
            case RECORD: {
                GenericData.Record r = new GenericData.Record(s);
                for (Schema.Field f : s.getFields()) {
                    r.put(f.pos(), value(f.schema()));
                }
                return r;
            }
            case ENUM:
                return new GenericData.EnumSymbol(s, s.getEnumSymbols().get(random.nextInt(s.getEnumSymbols().size())));
            case ARRAY: {
                List<Object> list = new ArrayList<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    list.add(value(s.getElementType()));
                }
                return new GenericData.Array<>(s, list);
            }
            case UNION: {
                List<Schema> branches = s.getTypes();
                return value(branches.get(random.nextInt(branches.size())));
            }
            case STRING:
                return "s" + random.nextInt(100_000);
            case BYTES: {
                byte[] b = new byte[random.nextInt(16)];
                random.nextBytes(b);
                return ByteBuffer.wrap(b);
            }
            case INT:
                return random.nextInt();
            case LONG:
                return random.nextLong();
            case BOOLEAN:
                return random.nextBoolean();
            case DOUBLE:
                return random.nextDouble() * 100;
            case MAP: {
                Map<String, Object> map = new HashMap<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    map.put("k" + random.nextInt(100_000), value(s.getValueType()));
                }
                return map;
            }
            case NULL:
                return null;
            default:
                throw new IllegalArgumentException("no generator for " + s.getType());
        }
    }
}
