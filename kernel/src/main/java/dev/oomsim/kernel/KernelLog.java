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

    /** How many lines were printed so far. */
    public int size() {
        return lines.size();
    }

    /** The lines printed since {@code mark} (a {@link #size()} taken before). */
    public List<String> linesFrom(int mark) {
        return List.copyOf(lines.subList(mark, lines.size()));
    }

    /** The lines so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }
}
