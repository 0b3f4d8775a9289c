package dev.oomsim.coordinator;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.oomsim.schemas.topics.TopicEnsurer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * {@code java -cp … dev.oomsim.coordinator.Main [settings.properties]}: one coordinator instance
 * ({@link CoordinatorSettings}; {@code OOMSIM_*} variables override). Ensures the topics, starts, and runs until
 * SIGTERM.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        CoordinatorSettings settings = CoordinatorSettings.load(args.length > 0 ? Path.of(args[0]) : null,
                System.getenv());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                settings.bootstrapServers()))) {
            new TopicEnsurer(admin, settings.replicationFactor()).ensure(settings.topics().all());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        CoordinatorService service = new CoordinatorService(settings.spec()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "coordinator-shutdown"));
        stopped.await();
    }
}
