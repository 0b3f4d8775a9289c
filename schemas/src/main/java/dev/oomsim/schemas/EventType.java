package dev.oomsim.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every top-level oomsim event, with its generated class, its current schema and every earlier version
 * recorded under {@code schema-history/<Name>/v<N>.avsc} (oldest first). Decoders know all versions, so
 * records written with an older schema still decode; a test holds each current schema backward compatible
 * with all recorded versions.
 */
public enum EventType {
    ALLOC_REQUEST(AllocRequest.class),
    NODE_COMMAND(NodeCommand.class),
    TASK_EVENT(TaskEvent.class),
    LOCK_CLAIM(LockClaim.class),
    PROGRESS_EVENT(ProgressEvent.class),
    KILL_EVENT(KillEvent.class),
    NODE_STATE(NodeState.class),
    NODE_SNAPSHOT(NodeSnapshot.class),
    PRESSURE_VIEW(PressureView.class),
    DEAD_LETTER(DeadLetter.class);

    private final Class<? extends SpecificRecord> recordClass;
    private final Schema schema;
    private final List<Schema> history;

    EventType(Class<? extends SpecificRecord> recordClass) {
        AvroTrust.trustOurEventClasses();
        this.recordClass = recordClass;
        this.schema = SpecificData.get().getSchema(recordClass);
        this.history = loadHistory(recordClass.getSimpleName());
    }

    public Class<? extends SpecificRecord> recordClass() {
        return recordClass;
    }

    /** The schema the code is generated from (the writer schema of everything this build produces). */
    public Schema schema() {
        return schema;
    }

    /** Recorded versions, oldest first; the last one equals {@link #schema()} once the current version is recorded. */
    public List<Schema> history() {
        return history;
    }

    public String simpleName() {
        return recordClass.getSimpleName();
    }

    public static EventType of(Class<? extends SpecificRecord> recordClass) {
        for (EventType t : values()) {
            if (t.recordClass.equals(recordClass)) {
                return t;
            }
        }
        throw new IllegalArgumentException(recordClass.getName() + " is not a top-level oomsim event");
    }

    private static List<Schema> loadHistory(String name) {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            String path = "/schema-history/" + name + "/v" + v + ".avsc";
            try (InputStream in = EventType.class.getResourceAsStream(path)) {
                if (in == null) {
                    return Collections.unmodifiableList(versions);
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
    }
}
