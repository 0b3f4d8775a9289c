package dev.oomsim.coordinator.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium} and {@code chromium-driver}, installed with apt-get when missing. No browser is ever
 * downloaded by Selenium or anything else: the test drives exactly these two binaries.
 *
 * <p>{@link #ensureInstalled(Path)} returns when both binaries are there. When they are missing it installs them if
 * this JVM runs as root (CI does), failing with apt-get's exit code and the tail of its output when it cannot; when
 * not root it aborts the test with an assumption that says what to install.
 */
public final class DebianChromium {

    public static final Path BROWSER = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final List<String> PACKAGES = List.of("chromium", "chromium-driver");
    private static final long APT_TIMEOUT_MINUTES = 10;

    private DebianChromium() {
    }

    public static boolean installed() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    /** Makes sure both binaries exist; {@code logDir} receives apt-get's output when it has to run. */
    public static void ensureInstalled(Path logDir) {
        if (installed()) {
            return;
        }
        String missing = (Files.isExecutable(BROWSER) ? "" : BROWSER + " ") + (Files.isExecutable(DRIVER) ? ""
                : DRIVER + " ");
        if (!isRoot()) {
            Assumptions.abort("the dashboard's browser test needs " + missing.trim() + "; this JVM is not root, so it"
                    + " cannot install them: run `apt-get install -y chromium chromium-driver` as root");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            throw new IllegalStateException("missing " + missing.trim() + " and there is no /usr/bin/apt-get to"
                    + " install Debian's chromium and chromium-driver with: this test needs a Debian-like machine");
        }
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve("apt-chromium.log");
            // the package lists may be missing or stale on a fresh machine: update first, then install
            apt(log, List.of("apt-get", "update"));
            apt(log, List.of("apt-get", "install", "-y", PACKAGES.get(0), PACKAGES.get(1)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run apt-get to install " + PACKAGES + ": " + e.getMessage(), e);
        }
        if (!installed()) {
            throw new IllegalStateException("apt-get installed " + PACKAGES + " but " + BROWSER + " or " + DRIVER
                    + " is still not executable");
        }
    }

    private static void apt(Path log, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        try {
            if (!p.waitFor(APT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in "
                        + APT_TIMEOUT_MINUTES + " minutes; its output: " + log + "\n" + tail(log));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + String.join(" ", command), e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + p.exitValue()
                    + " (no network to the Debian mirror? a held dpkg lock?); its output: " + log + "\n" + tail(log));
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    private static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 && out.equals("0");
        } catch (IOException e) {
            return "root".equals(System.getProperty("user.name"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
