package dev.oomsim.service;

import java.util.Map;

/**
 * What {@code /health} reports: UP (HTTP 200) or DOWN (HTTP 503), with details such as the consumer lag or the
 * reason it is down.
 */
public record Health(boolean up, Map<String, Object> details) {

    public Health {
        details = Map.copyOf(details);
    }

    public static Health up(Map<String, Object> details) {
        return new Health(true, details);
    }

    public static Health down(String reason) {
        return new Health(false, Map.of("reason", reason));
    }
}
