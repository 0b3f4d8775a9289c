package dev.oomsim.bench;

import picocli.CommandLine;

/** Runs {@link BenchCommand} without the {@code oomsim} launcher: {@code bench/run [--quick] [--json]}. */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "oomsim-bench-logback.xml");
        }
        int status = new CommandLine(new BenchCommand()).setCommandName("oomsim bench").execute(args);
        System.exit(status);
    }
}
