package dev.oomsim.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Schema evolution guard: every event's current schema must read data written with every recorded earlier
 * version (backward compatibility), and the current schema must itself be recorded, so the next change is
 * checked against it.
 */
class SchemaCompatibilityTest {

    @ParameterizedTest
    @EnumSource(EventType.class)
    void currentSchemaReadsEveryRecordedVersion(EventType type) {
        assertThat(type.history()).as("schema-history/%s/v1.avsc must exist", type.simpleName()).isNotEmpty();
        for (int v = 0; v < type.history().size(); v++) {
            Schema writer = type.history().get(v);
            SchemaCompatibility.SchemaPairCompatibility result =
                    SchemaCompatibility.checkReaderWriterCompatibility(type.schema(), writer);
            assertThat(result.getType())
                    .as("%s: current schema cannot read v%d: %s", type.simpleName(), v + 1, result.getDescription())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void currentSchemaIsRecordedAsTheLatestVersion(EventType type) {
        Schema latest = type.history().get(type.history().size() - 1);
        assertThat(latest)
                .as("%s changed: record it as schema-history/%s/v%d.avsc (and keep it backward compatible)",
                        type.simpleName(), type.simpleName(), type.history().size() + 1)
                .isEqualTo(type.schema());
    }
}
