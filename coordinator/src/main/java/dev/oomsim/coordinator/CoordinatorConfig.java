package dev.oomsim.coordinator;

import java.time.Duration;
import java.util.Objects;

import dev.oomsim.schemas.topics.Topics;

/**
 * What the coordinator's topology is built from (docs/coordinator.md). HTTP settings live with the service, not here.
 *
 * @param topics        the topic catalogue (names, serdes)
 * @param applicationId the Kafka Streams application id, default {@value #DEFAULT_APPLICATION_ID}
 * @param rateWindow    the tumbling event-time window the per-second allocation rates are computed over
 * @param grace         how late (event time) a record may come and still be folded into its window
 * @param recentKills   how many kills the {@code recent-kills} store keeps
 */
public record CoordinatorConfig(Topics topics, String applicationId, Duration rateWindow, Duration grace,
        int recentKills) {

    public static final String DEFAULT_APPLICATION_ID = "oomsim-coordinator";
    public static final Duration DEFAULT_RATE_WINDOW = Duration.ofSeconds(10);
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    public static final int DEFAULT_RECENT_KILLS = 1000;

    public CoordinatorConfig {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(rateWindow, "rateWindow");
        Objects.requireNonNull(grace, "grace");
        if (applicationId.isBlank()) {
            throw new IllegalArgumentException("applicationId must not be blank");
        }
        if (rateWindow.toMillis() < 1) {
            throw new IllegalArgumentException("rateWindow must be at least 1 ms, was " + rateWindow);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
        if (recentKills < 1) {
            throw new IllegalArgumentException("recentKills must be >= 1, was " + recentKills);
        }
    }

    /** The defaults: application id {@value #DEFAULT_APPLICATION_ID}, 10 s rate window, 30 s grace, 1000 kills. */
    public static CoordinatorConfig defaults(Topics topics) {
        return new CoordinatorConfig(topics, DEFAULT_APPLICATION_ID, DEFAULT_RATE_WINDOW, DEFAULT_GRACE,
                DEFAULT_RECENT_KILLS);
    }
}
