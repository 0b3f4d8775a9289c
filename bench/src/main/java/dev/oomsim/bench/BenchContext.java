package dev.oomsim.bench;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * What every benchmark of a run shares: the running broker, the run's settings and the baselines measured on it.
 *
 * @param bootstrapServers the run's embedded broker
 * @param admin            an Admin client on it, owned by the run (do not close)
 * @param settings         quick or full, record size, counts
 * @param baselines        the broker's raw figures, measured once before any benchmark
 * @param progress         where a benchmark reports its steps, and rows it could not measure and why
 */
public record BenchContext(String bootstrapServers, Admin admin, BenchSettings settings, Baselines baselines,
                           Progress progress) {

    public BenchContext {
        if (bootstrapServers == null || admin == null || settings == null || baselines == null || progress == null) {
            throw new IllegalArgumentException("a bench context needs a broker, an admin client, settings, baselines "
                    + "and progress");
        }
    }

    /** Creates a new single-replica topic named {@code oomsim-bench.<base>-<random>} and returns its name. */
    public String createTopic(String base, int partitions, Map<String, String> configs) {
        return createTopic(admin, base, partitions, configs);
    }

    static String createTopic(Admin admin, String base, int partitions, Map<String, String> configs) {
        String name = "oomsim-bench." + base + "-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
        return name;
    }
}
