package dev.oomsim.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.TopicMismatchException;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code oomsim topics}: creates every topic of the catalogue ({@link Topics}) that is missing and checks the ones
 * that exist; the compose stack's topic-init step, run before any agent starts.
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = {"Creates the oomsim topics for a machine of N nodes, and checks existing ones.",
                "Exits 1 naming the topic and setting when an existing topic is not as oomsim needs it."},
        footer = {"", "Example:", "  oomsim topics --bootstrap broker:9092 --nodes 4 --replication-factor 3"})
final class TopicsCommand implements Callable<Integer> {

    /** Exit status when the cluster cannot be reached or an existing topic is wrong. */
    static final int TOPICS_FAILED = 1;

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true, description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--nodes", paramLabel = "N", required = true,
            description = "Nodes of the simulated machine (partitions of alloc-requests).")
    int nodes;

    @Option(names = "--replication-factor", paramLabel = "RF", defaultValue = "1",
            description = "Replication factor of the topics created (default: ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of every topic name (default: '${DEFAULT-VALUE}').")
    String prefix;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (nodes < 1 || replicationFactor < 1) {
            err.println("oomsim topics: --nodes and --replication-factor must be at least 1, were " + nodes
                    + " and " + replicationFactor);
            return ExitCodes.BAD_INPUT;
        }
        Topics topics = new Topics(prefix, nodes);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000))) {
            new TopicEnsurer(admin, replicationFactor).ensure(topics.all());
        } catch (TopicMismatchException | IllegalStateException e) {
            err.println("oomsim topics: " + e.getMessage());
            return TOPICS_FAILED;
        }
        for (TopicSpec<?, ?> t : topics.all()) {
            out.println("oomsim topics: " + t.name() + " ready");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
