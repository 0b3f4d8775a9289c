package dev.oomsim.cli;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.oomsim.schemas.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Option;

/** Where a client subcommand ({@code kills}, {@code pressure}) finds the stack: the Kafka cluster and topic prefix. */
final class BrokerOptions {

    /** The address {@code oomsim up} serves on unless told otherwise. */
    static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    /** How long a client waits for the cluster to answer before it says it cannot reach it. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT[,HOST:PORT…]", defaultValue = DEFAULT_BOOTSTRAP,
            description = "Kafka bootstrap servers of the stack (default: ${DEFAULT-VALUE}, where `oomsim up` serves).")
    String bootstrap;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of the stack's topic names (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    /** The stack's topics; the node count only shapes {@code alloc-requests}, which clients do not read. */
    Topics topics() {
        try {
            return new Topics(topicPrefix, 1);
        } catch (IllegalArgumentException e) {
            throw new UsageFailure("--topic-prefix: " + e.getMessage());
        }
    }

    /** Admin properties for {@code bootstrap}, failing fast rather than retrying for minutes. */
    static Map<String, Object> adminProps(String bootstrap) {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CONNECT_TIMEOUT.toMillis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CONNECT_TIMEOUT.toMillis());
    }

    /**
     * Checks that the cluster answers and that {@code topic} exists on it.
     *
     * @throws CommandFailure naming the address and what to do when it does not
     */
    void requireTopic(String topic) {
        try (Admin admin = Admin.create(adminProps(bootstrap))) {
            requireReachable(admin, bootstrap, "start the stack with `oomsim up`, or name its brokers with"
                    + " --bootstrap HOST:PORT");
            boolean exists;
            try {
                exists = admin.listTopics().names().get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .contains(topic);
            } catch (TimeoutException | ExecutionException e) {
                throw new CommandFailure("cannot list the topics of " + bootstrap + ": " + e.getMessage());
            }
            if (!exists) {
                throw new CommandFailure("Kafka at " + bootstrap + " has no topic " + topic
                        + ": start the stack there with `oomsim up`, or name its topic prefix with --topic-prefix");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted while connecting to " + bootstrap, e);
        }
    }

    /** Checks that the Kafka cluster at {@code bootstrap} answers within {@link #CONNECT_TIMEOUT}. */
    static void requireReachable(String bootstrap, String whatToDo) {
        try (Admin admin = Admin.create(adminProps(bootstrap))) {
            requireReachable(admin, bootstrap, whatToDo);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted while connecting to " + bootstrap, e);
        }
    }

    private static void requireReachable(Admin admin, String bootstrap, String whatToDo) throws InterruptedException {
        try {
            admin.describeCluster().clusterId().get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new CommandFailure("cannot reach Kafka at " + bootstrap + " within " + CONNECT_TIMEOUT.toSeconds()
                    + " s: " + whatToDo);
        }
    }
}
