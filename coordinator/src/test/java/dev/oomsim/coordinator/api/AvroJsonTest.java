package dev.oomsim.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oomsim.schemas.EventType;
import dev.oomsim.schemas.KillCandidate;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.KillPressure;
import dev.oomsim.schemas.OomConstraint;
import dev.oomsim.schemas.PressureView;
import dev.oomsim.schemas.Profile;
import dev.oomsim.schemas.WatermarkLevel;
import dev.oomsim.schemas.ZonePressure;
import dev.oomsim.schemas.ZoneType;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

    static {
        EventType.values(); // trusts the generated classes (Avro 1.12), as the serdes do
    }

    static PressureView nodeView() {
        ZonePressure zone = ZonePressure.newBuilder().setNode(1).setZone(ZoneType.NORMAL).setManagedPages(4096)
                .setFreePages(100).setWatermarkMin(64).setWatermarkLow(80).setWatermarkHigh(96)
                .setLevel(WatermarkLevel.ABOVE_HIGH).setNrFree(List.of(10L, 5L, 0L)).build();
        return PressureView.newBuilder().setScope("node-1").setManagedPages(4096).setFreePages(100).setNode(1)
                .setLevel(WatermarkLevel.ABOVE_HIGH).setProfile(Profile.MODERN).setZones(List.of(zone))
                .setLastVictimComm("leaky-worker").setKillWindows(KillPressure.newBuilder().setLastMinute(2)
                        .setPerMinuteOver5m(0.4).setByConstraint(Map.of("CONSTRAINT_NONE", 2L)).build())
                .build();
    }

    @Test
    void enumsAreTheirSymbolsAndUnionsThePlainValueOrNull() {
        JsonNode json = AvroJson.toJson(nodeView());

        assertThat(json.path("scope").asText()).isEqualTo("node-1");
        assertThat(json.path("node").isInt()).isTrue();
        assertThat(json.path("node").asInt()).isEqualTo(1);
        assertThat(json.path("level").asText()).isEqualTo("ABOVE_HIGH");
        assertThat(json.path("profile").asText()).isEqualTo("MODERN");
        assertThat(json.path("lastVictimComm").asText()).isEqualTo("leaky-worker");
        assertThat(json.get("lastVictimPid").isNull()).isTrue();
        assertThat(json.get("psi").isNull()).isTrue();
        assertThat(json.get("lock").isNull()).isTrue();
        JsonNode zone = json.path("zones").get(0);
        assertThat(zone.path("zone").asText()).isEqualTo("NORMAL");
        assertThat(zone.path("watermarkHigh").asLong()).isEqualTo(96);
        assertThat(zone.path("nrFree").toString()).isEqualTo("[10,5,0]");
        assertThat(json.path("killWindows").path("byConstraint").path("CONSTRAINT_NONE").asLong()).isEqualTo(2);
        assertThat(json.path("killWindows").path("perMinuteOver5m").asDouble()).isEqualTo(0.4);
        assertThat(json.path("deadLetters").isArray()).isTrue();
    }

    @Test
    void everyFieldOfTheSchemaIsRendered() {
        JsonNode json = AvroJson.toJson(nodeView());

        assertThat(json.size()).isEqualTo(PressureView.getClassSchema().getFields().size());
    }

    @Test
    void aKillCarriesItsExplanation() {
        KillEvent kill = KillEvent.newBuilder().setRequestId("r-7").setVictimPid(42).setVictimComm("leaky-worker")
                .setVictimUid(0).setChosenPid(42).setPoints(900).setScore(900).setTotalpages(8192)
                .setConstraint(OomConstraint.CONSTRAINT_NONE).setGfpMask(0xcc0).setOrder(2).setInvokingNode(1)
                .setInvokingPid(42).setLockToken(3).setProfile(Profile.SEED)
                .setCandidates(List.of(new KillCandidate(42, "leaky-worker", 900L), new KillCandidate(7, "db", 300L)))
                .setLog(List.of("Out of memory: Killed process 42 (leaky-worker)")).build();

        JsonNode json = AvroJson.toJson(kill);

        assertThat(json.path("constraint").asText()).isEqualTo("CONSTRAINT_NONE");
        assertThat(json.get("nodemask").isNull()).isTrue();
        assertThat(json.path("candidates").get(1).path("comm").asText()).isEqualTo("db");
        assertThat(json.path("candidates").get(0).path("points").asLong()).isEqualTo(900);
        assertThat(json.path("log").get(0).asText()).startsWith("Out of memory");
    }

    @Test
    void noRecordIsJsonNull() {
        assertThat(AvroJson.toJson(null).isNull()).isTrue();
    }
}
