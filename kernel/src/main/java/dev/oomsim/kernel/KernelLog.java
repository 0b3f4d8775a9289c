package dev.oomsim.kernel;

import java.util.ArrayList;
import java.util.List;

/** The printk lines of one event, in order. Owned by the thread running the event. */
public final class KernelLog {
    private final List<String> lines = new ArrayList<>();

    /** Appends one line (without trailing newline). */
    public void print(String line) {
        lines.add(line);
    }

    /** The lines so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }
}
