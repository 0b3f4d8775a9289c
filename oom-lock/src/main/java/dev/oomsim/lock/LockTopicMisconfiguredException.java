package dev.oomsim.lock;

/** An existing lock topic breaks the protocol's requirements: the lock refuses to start. */
public final class LockTopicMisconfiguredException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String setting;
    private final String expected;
    private final String actual;

    public LockTopicMisconfiguredException(String topic, String setting, String expected, String actual) {
        super("lock topic " + topic + " is misconfigured: " + setting + " must be " + expected + " but is " + actual
                + " (lock-protocol.md, Topic)");
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
