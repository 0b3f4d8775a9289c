package dev.oomsim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oomsim broker} as users run it: its own JVM, serving until SIGTERM, and a second start on the same
 * {@code --dir} serves what the first one stored.
 */
class BrokerCommandIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aBrokerStoppedBySigtermAndStartedOnTheSameDirServesItsEarlierRecords(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("kafka-data");
        int port = freePort();
        int controllerPort = freePort();
        int metricsPort = freePort();
        String bootstrap = "127.0.0.1:" + port;

        Process first = startBroker(dir, port, controllerPort, metricsPort, tmp.resolve("broker-1.log"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>("kept", "k", "stored before the restart")).get(30, TimeUnit.SECONDS);
        }
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("the broker stops on SIGTERM").isTrue();
        assertThat(first.exitValue()).as("exit status after SIGTERM").isEqualTo(143);
        assertThat(Files.readString(tmp.resolve("broker-1.log")))
                .contains("oomsim broker: Kafka broker (KRaft) serving on PLAINTEXT://127.0.0.1:" + port);

        Process second = startBroker(dir, port, controllerPort, metricsPort, tmp.resolve("broker-2.log"));
        try {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept");
            }
            assertThat(readAll(bootstrap, "kept")).containsExactly("stored before the restart");
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPortInUseEndsTheCommandWithAMessageNamingIt(@TempDir Path tmp) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path log = tmp.resolve("broker.log");
            Process p = command(tmp.resolve("data"), taken.getLocalPort(), freePort(), -1, log).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the command ends").isTrue();
            assertThat(p.exitValue()).isEqualTo(BrokerCommand.BROKER_FAILED);
            assertThat(Files.readString(log)).contains("oomsim broker: ").contains(":" + taken.getLocalPort());
        }
    }

    private Process startBroker(Path dir, int port, int controllerPort, int metricsPort, Path log) throws IOException {
        Process p = command(dir, port, controllerPort, metricsPort, log).start();
        URI health = URI.create("http://127.0.0.1:" + metricsPort + "/health");
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!p.isAlive()) {
                throw new AssertionError("broker exited with " + p.exitValue() + ": " + Files.readString(log));
            }
            try {
                return http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return p;
    }

    private static ProcessBuilder command(Path dir, int port, int controllerPort, int metricsPort, Path log) {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), OomsimCommand.class.getName(), "broker",
                "--dir", dir.toString(), "--port", String.valueOf(port),
                "--controller-port", String.valueOf(controllerPort), "--metrics-port", String.valueOf(metricsPort))
                .redirectErrorStream(true).redirectOutput(log.toFile());
    }

    private static List<String> readAll(String bootstrap, String topic) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            long end = consumer.endOffsets(Set.of(tp)).get(tp);
            List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return consumer.position(tp) >= end;
            });
            return values;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
