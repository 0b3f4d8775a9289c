package dev.oomsim.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The summary line of Kafka's {@code ProducerPerformance}: throughput and the producer's send→ack latencies
 * (whole milliseconds in the tool).
 */
public record ProducerPerfResult(long records, double recordsPerSec, double mbPerSec, double avgLatencyMs,
                                 double maxLatencyMs, int p50Ms, int p95Ms, int p99Ms, int p999Ms) {

    // "%d%s records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency,
    //  %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th." — %s is "" or " steady state"
    private static final Pattern TOTAL = Pattern.compile(
            "(\\d+)( steady state)? records sent, ([0-9.]+) records/sec \\(([0-9.]+) MB/sec\\), ([0-9.]+) ms avg "
            + "latency, ([0-9.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, "
            + "(\\d+) ms 99\\.9th\\.");

    public ProducerPerfResult {
        if (records < 1 || !(recordsPerSec > 0)) {
            throw new IllegalArgumentException("producer run must send records at a positive rate, was " + records
                    + " at " + recordsPerSec + "/s");
        }
    }

    /**
     * Reads the tool's output (run with {@link java.util.Locale#ROOT}). The steady-state line wins over the whole-run
     * line when the tool printed both (it does with {@code --warmup-records}).
     *
     * @throws IllegalArgumentException naming the output when no summary line is in it
     */
    public static ProducerPerfResult parse(String output) {
        ProducerPerfResult whole = null;
        ProducerPerfResult steady = null;
        for (String line : output.split("\\R")) {
            Matcher m = TOTAL.matcher(line);
            if (m.find()) {
                ProducerPerfResult r = new ProducerPerfResult(Long.parseLong(m.group(1)),
                        Double.parseDouble(m.group(3)),
                        Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)),
                        Integer.parseInt(m.group(7)), Integer.parseInt(m.group(8)), Integer.parseInt(m.group(9)),
                        Integer.parseInt(m.group(10)));
                if (m.group(2) != null) {
                    steady = r;
                } else {
                    whole = r;
                }
            }
        }
        if (steady != null) {
            return steady;
        }
        if (whole != null) {
            return whole;
        }
        throw new IllegalArgumentException("no ProducerPerformance summary line in its output:\n"
                + PerfTool.tail(output));
    }
}
