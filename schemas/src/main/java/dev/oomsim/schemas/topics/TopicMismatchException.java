package dev.oomsim.schemas.topics;

/** An existing topic does not have a setting oomsim relies on; the service refuses to start. */
public final class TopicMismatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String setting;
    private final String expected;
    private final String actual;

    public TopicMismatchException(String topic, String setting, String expected, String actual) {
        super("topic " + topic + " exists with " + setting + "=" + actual + ", but oomsim needs " + setting + " "
                + expected + "; fix or delete the topic, or use another topic prefix");
        this.topic = topic;
        this.setting = setting;
        this.expected = expected;
        this.actual = actual;
    }

    public String topic() {
        return topic;
    }

    public String setting() {
        return setting;
    }

    public String expected() {
        return expected;
    }

    public String actual() {
        return actual;
    }
}
