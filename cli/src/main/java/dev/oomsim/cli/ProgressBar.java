package dev.oomsim.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A one-line progress bar on stderr for long work ({@code [#####.....]  50% label}), redrawn in place. It draws
 * nothing when stderr is not a terminal or the user asked for {@code --quiet}: logs and pipes get no carriage
 * returns. Owned by one thread: the command's.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean enabled;
    private String shown = "";

    ProgressBar(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** A bar that draws only when stderr is a terminal and {@code quiet} is off. */
    static ProgressBar forStderr(PrintWriter err, boolean quiet) {
        return new ProgressBar(err, !quiet && stderrIsTerminal());
    }

    boolean enabled() {
        return enabled;
    }

    /** Shows {@code done} of {@code total} with a label (a total of 0 or less: an open-ended count). */
    void show(String label, long done, long total) {
        if (!enabled) {
            return;
        }
        String line = render(label, done, total);
        erase();
        err.print(line);
        err.flush();
        shown = line;
    }

    /** Removes the bar so that other output can be printed on its line; the next {@link #show} draws it again. */
    void erase() {
        if (!enabled || shown.isEmpty()) {
            return;
        }
        err.print("\r" + " ".repeat(shown.length()) + "\r");
        err.flush();
        shown = "";
    }

    static String render(String label, long done, long total) {
        if (total <= 0) {
            return "[" + ".".repeat(WIDTH) + "] " + done + " " + label;
        }
        long clamped = Math.max(0, Math.min(done, total));
        int filled = (int) (WIDTH * clamped / total);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format("%3d%%", 100 * clamped / total)
                + " " + label;
    }

    /** Whether file descriptor 2 is a terminal (Linux: a tty or pty; elsewhere: whether the JVM has a console). */
    static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        try {
            String target = Files.readSymbolicLink(fd2).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }
}
