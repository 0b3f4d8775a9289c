package dev.oomsim.agent.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.oomsim.kernel.image.FreeListImage;
import dev.oomsim.kernel.image.MachineImage;

/**
 * The kernel model's {@link MachineImage} as the bytes of a {@code NodeSnapshot} (format {@value #FORMAT}): the image's
 * records in CBOR through Jackson, which maps records and enums as they are (their constructors validate on the way
 * back), except free lists: a list's pfns are written as zigzag varint deltas from the previous pfn, because a
 * fragmented list's neighbours are close (every other page free costs one byte per block, not nine).
 */
final class KernelImageCodec {

    /** The encoding {@link #encode} writes. */
    static final int FORMAT = 1;

    private static final ObjectMapper MAPPER = CBORMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new SimpleModule("oomsim-free-lists")
                    .addSerializer(FreeListImage.class, new FreeListSerializer())
                    .addDeserializer(FreeListImage.class, new FreeListDeserializer()))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private KernelImageCodec() {
    }

    static byte[] encode(MachineImage image) {
        try {
            return MAPPER.writeValueAsBytes(image);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a kernel image", e);
        }
    }

    static MachineImage decode(int format, ByteBuffer bytes) {
        if (format != FORMAT) {
            throw new IllegalArgumentException("kernel image format " + format + " is not known here (this build reads "
                    + FORMAT + ")");
        }
        byte[] b = new byte[bytes.remaining()];
        bytes.duplicate().get(b);
        try {
            return MAPPER.readValue(b, MachineImage.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("a kernel image that does not decode: " + e.getMessage(), e);
        }
    }

    /** {@code {"order": o, "deltas": <zigzag varints>}}. */
    private static final class FreeListSerializer extends StdSerializer<FreeListImage> {
        FreeListSerializer() {
            super(FreeListImage.class);
        }

        @Override
        public void serialize(FreeListImage list, JsonGenerator gen, SerializerProvider provider) throws IOException {
            ByteArrayOutputStream deltas = new ByteArrayOutputStream(Math.max(16, list.size() * 2));
            long previous = 0;
            for (int i = 0; i < list.size(); i++) {
                long pfn = list.pfn(i);
                long d = pfn - previous;
                previous = pfn;
                long zigzag = (d << 1) ^ (d >> 63);
                while ((zigzag & ~0x7FL) != 0) {
                    deltas.write((int) ((zigzag & 0x7F) | 0x80));
                    zigzag >>>= 7;
                }
                deltas.write((int) zigzag);
            }
            gen.writeStartObject();
            gen.writeNumberField("order", list.order());
            gen.writeNumberField("blocks", list.size());
            gen.writeBinaryField("deltas", deltas.toByteArray());
            gen.writeEndObject();
        }
    }

    private static final class FreeListDeserializer extends StdDeserializer<FreeListImage> {
        FreeListDeserializer() {
            super(FreeListImage.class);
        }

        @Override
        public FreeListImage deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonNode node = p.readValueAsTree();
            if (!node.hasNonNull("order") || !node.hasNonNull("blocks") || !node.hasNonNull("deltas")) {
                throw ctx.weirdStringException(node.toString(), FreeListImage.class,
                        "a free list needs order, blocks and deltas");
            }
            int blocks = node.get("blocks").intValue();
            byte[] deltas = node.get("deltas").binaryValue();
            long[] pfns = new long[blocks];
            int at = 0;
            long previous = 0;
            for (int i = 0; i < blocks; i++) {
                long zigzag = 0;
                int shift = 0;
                byte b;
                do {
                    if (at >= deltas.length || shift > 63) {
                        throw ctx.weirdStringException("deltas", FreeListImage.class, "free list deltas end after " + i
                                + " of " + blocks + " blocks");
                    }
                    b = deltas[at++];
                    zigzag |= (long) (b & 0x7F) << shift;
                    shift += 7;
                } while ((b & 0x80) != 0);
                previous += (zigzag >>> 1) ^ -(zigzag & 1);
                pfns[i] = previous;
            }
            if (at != deltas.length) {
                throw ctx.weirdStringException("deltas", FreeListImage.class, (deltas.length - at)
                        + " bytes of free list deltas left over after " + blocks + " blocks");
            }
            return new FreeListImage(node.get("order").intValue(), pfns);
        }
    }
}
