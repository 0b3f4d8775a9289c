package dev.oomsim.bench;

import java.io.PrintStream;

/** Where a bench run reports what it is doing (stderr in the CLI, so {@code --json} keeps stdout clean). */
@FunctionalInterface
public interface Progress {

    void step(String message);

    static Progress to(PrintStream out) {
        long start = System.nanoTime();
        return message -> out.printf("[bench %5.1fs] %s%n", (System.nanoTime() - start) / 1e9, message);
    }

    static Progress silent() {
        return message -> { };
    }
}
