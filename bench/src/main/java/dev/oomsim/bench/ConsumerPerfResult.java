package dev.oomsim.bench;

/**
 * The summary line of Kafka's {@code ConsumerPerformance}. {@code fetchRecordsPerSec} covers the fetch phase only
 * (the group join is excluded), which is what the consume baseline reports.
 */
public record ConsumerPerfResult(double mb, double mbPerSec, long records, double recordsPerSec,
                                 long rebalanceMs, long fetchMs, double fetchMbPerSec, double fetchRecordsPerSec) {

    public ConsumerPerfResult {
        if (records < 1 || !(fetchRecordsPerSec > 0)) {
            throw new IllegalArgumentException("consumer run must read records at a positive rate, read " + records
                    + " at " + fetchRecordsPerSec + "/s");
        }
    }

    /**
     * Reads the tool's output (run with {@code --hide-header} and {@link java.util.Locale#ROOT}): the last line of
     * the form {@code start, end, MB, MB/s, records, records/s, rebalance ms, fetch ms, fetch MB/s, fetch records/s}.
     *
     * @throws IllegalArgumentException naming the output when no such line is in it
     */
    public static ConsumerPerfResult parse(String output) {
        ConsumerPerfResult last = null;
        for (String line : output.split("\\R")) {
            String[] f = line.trim().split(",\\s*");
            if (f.length != 10 || !f[0].matches("\\d{4}-\\d\\d-\\d\\d .*")) {
                continue;
            }
            try {
                last = new ConsumerPerfResult(Double.parseDouble(f[2]), Double.parseDouble(f[3]), Long.parseLong(f[4]),
                        Double.parseDouble(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
                        Double.parseDouble(f[8]), Double.parseDouble(f[9]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unreadable ConsumerPerformance line: " + line, e);
            }
        }
        if (last == null) {
            throw new IllegalArgumentException("no ConsumerPerformance summary line in its output:\n"
                    + PerfTool.tail(output));
        }
        return last;
    }
}
