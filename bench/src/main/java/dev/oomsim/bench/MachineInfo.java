package dev.oomsim.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.utils.internals.AppInfoParser;

/**
 * The machine and software a bench run measured.
 *
 * @param cpus        processors available to the JVM
 * @param cpuModel    {@code /proc/cpuinfo}'s model name, or "unknown"
 * @param memoryBytes physical memory
 * @param os          name, version, architecture
 * @param jvm         VM name and runtime version
 * @param kafka       Kafka client library version (the embedded broker is the same release)
 * @param date        when the run started (UTC, seconds)
 * @param gitCommit   short commit of the working directory, with "-dirty" when it has changes; empty outside git
 * @param loadAverage the system's one-minute load average when the run started (negative where unavailable): other
 *                    processes on the machine take cores from the broker and the benchmarks alike
 */
public record MachineInfo(int cpus, String cpuModel, long memoryBytes, String os, String jvm, String kafka,
                          Instant date, Optional<String> gitCommit, double loadAverage) {

    public static MachineInfo current() {
        long memory =
                ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                        ? os.getTotalMemorySize() : -1;
        return new MachineInfo(
                Runtime.getRuntime().availableProcessors(),
                readCpuModel(),
                memory,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                AppInfoParser.getVersion(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS),
                readGitCommit(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static String readCpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return "unknown";
        }
        try (var lines = Files.lines(cpuinfo, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException | java.io.UncheckedIOException e) {
            return "unknown";
        }
    }

    private static Optional<String> readGitCommit() {
        Optional<String> head = git("rev-parse", "--short=12", "HEAD");
        if (head.isEmpty()) {
            return head;
        }
        boolean dirty = git("status", "--porcelain", "--untracked-files=no").map(s -> !s.isBlank()).orElse(false);
        return Optional.of(head.get() + (dirty ? "-dirty" : ""));
    }

    private static Optional<String> git(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "git";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return Optional.empty();
            }
            return Optional.of(new String(out, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
