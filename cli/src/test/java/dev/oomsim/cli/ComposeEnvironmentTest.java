package dev.oomsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.oomsim.agent.AgentConfig;
import dev.oomsim.coordinator.CoordinatorSettings;
import dev.oomsim.service.EnvOverrides;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.server.config.AbstractKafkaConfig;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.Yaml;

/**
 * Every environment variable the compose files set is one the service in that container reads: the agent's
 * {@code OOMSIM_<KEY>} overrides name {@link AgentConfig} keys (and their values pass its validation), the
 * coordinator's name {@link CoordinatorSettings} keys, the {@code apache/kafka} image's {@code KAFKA_<NAME>}
 * variables name broker settings, {@code HEALTH_PORT} is the port the service serves {@code /health} on. A misspelt
 * variable would otherwise be ignored without a word.
 */
class ComposeEnvironmentTest {

    private static final Path ROOT = Path.of("..");
    private static final Path BASE = ROOT.resolve("docker-compose.yml");
    private static final List<Path> OVERRIDES = List.of(
            ROOT.resolve("docker/compose.oomsim-broker.yml"), ROOT.resolve("docker/compose.3-brokers.yml"));
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::?-([^}]*))?}");


    @TestFactory
    Stream<DynamicTest> everyVariableOfEveryServiceIsOneItsProgramReads() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        List<List<Path>> stacks = new ArrayList<>();
        stacks.add(List.of(BASE));
        for (Path override : OVERRIDES) {
            stacks.add(List.of(BASE, override));
        }
        for (List<Path> files : stacks) {
            Map<String, Service> services = services(files);
            assertThat(services).containsKeys("broker", "topics", "agent-0", "agent-1", "agent-2", "agent-3",
                    "coordinator", "load", "kills", "cli");
            services.forEach((name, s) -> tests.add(DynamicTest.dynamicTest(
                    files.get(files.size() - 1).getFileName() + ": " + name, () -> check(name, s))));
        }
        return tests.stream();
    }

    @Test
    void everyAgentHasItsOwnNodeIdBelowTheNodeCount() throws IOException {
        Map<String, Service> services = services(List.of(BASE));
        List<Integer> ids = services.entrySet().stream().filter(e -> e.getKey().startsWith("agent-"))
                .map(e -> agentConfig(e.getValue().environment()).nodeId()).sorted().toList();
        int nodes = agentConfig(services.get("agent-0").environment()).nodes();
        assertThat(ids).as("one agent per node of OOMSIM_NODES").containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, nodes).boxed().toList());
    }

    @Test
    void kafkaVariablesMapToBrokerPropertiesAsTheApacheKafkaImageMapsThem() {
        assertThat(BrokerCommand.brokerProperties(Map.of("KAFKA_LOG_DIRS", "/data", "KAFKA_HEAP_OPTS", "-Xmx1g",
                "KAFKA_LISTENER_NAME_HOST__X___Y", "v", "OOMSIM_NODES", "4")))
                .containsExactly(Map.entry("listener.name.host_x-y", "v"), Map.entry("log.dirs", "/data"));
    }

    private static void check(String name, Service s) {
        Map<String, String> env = s.environment();
        if (s.image().startsWith("apache/kafka")) {
            Map<String, String> rest = new TreeMap<>(env);
            assertThat(Uuid.fromString(rest.remove("CLUSTER_ID"))).as(name + ": CLUSTER_ID is a Kafka uuid")
                    .isNotNull();
            assertKafkaSettings(name, rest);
            return;
        }
        assertThat(s.image()).as(name + ": image").startsWith("oomsim");
        String program = s.program();
        Map<String, String> rest = new TreeMap<>(env);
        String healthPort = rest.remove("HEALTH_PORT");
        switch (program) {
            case "agent" -> {
                AgentConfig config = agentConfig(rest);
                Set<String> keys = config.values().keySet();
                EnvOverrides.load(null, rest, "OOMSIM_").stringPropertyNames().forEach(key ->
                        assertThat(keys).as(name + ": OOMSIM_ variable for agent key " + key).contains(key));
                assertThat(rest.keySet()).as(name + ": the agent reads OOMSIM_ variables only")
                        .allMatch(k -> k.startsWith("OOMSIM_"));
                assertThat(healthPort == null ? 9400 : Integer.parseInt(healthPort))
                        .as(name + ": the health check's port is the agent's metrics port")
                        .isEqualTo(config.metricsPort());
            }
            case "broker" -> {
                // The apache/kafka image formats with CLUSTER_ID; oomsim broker formats with an id of its own.
                rest.remove("CLUSTER_ID");
                assertKafkaSettings(name, rest);
                assertThat(healthPort).as(name + ": HEALTH_PORT is --metrics-port")
                        .isEqualTo(s.option("--metrics-port"));
            }
            case "coordinator" -> {
                Properties p = EnvOverrides.load(null, rest, "OOMSIM_");
                CoordinatorSettings settings = new CoordinatorSettings(p);
                p.stringPropertyNames().forEach(key -> assertThat(settings.values().keySet())
                        .as(name + ": OOMSIM_ variable for coordinator key " + key).contains(key));
                assertThat(rest.keySet()).as(name + ": the coordinator reads OOMSIM_ variables only")
                        .allMatch(k -> k.startsWith("OOMSIM_"));
                assertThat(healthPort).as(name + ": the health check's port is the coordinator's HTTP port")
                        .isEqualTo(String.valueOf(settings.getInt(CoordinatorSettings.HTTP_PORT)));
                assertThat(settings.getString(CoordinatorSettings.HTTP_HOST))
                        .as(name + ": listens on every address of its container, so its published port reaches it")
                        .isEqualTo("0.0.0.0");
            }
            default -> assertThat(env).as(name + " (oomsim " + program + ") reads no variables").isEmpty();
        }
    }

    /** Every variable is a {@code KAFKA_*} one naming a broker setting (both brokers map them alike). */
    private static void assertKafkaSettings(String name, Map<String, String> env) {
        Set<String> brokerSettings = AbstractKafkaConfig.CONFIG_DEF.names();
        env.forEach((k, v) -> {
            assertThat(k).as(name + ": a variable the broker reads").startsWith("KAFKA_");
            assertThat(brokerSettings).as(name + ": " + k + " names a broker setting")
                    .contains(BrokerCommand.propertyOf(k));
        });
    }

    private static AgentConfig agentConfig(Map<String, String> env) {
        Properties p = EnvOverrides.load(null, env, "OOMSIM_");
        return new AgentConfig(p);
    }

    /** One service of the merged compose files: what compose would give the container. */
    record Service(String image, List<String> entrypoint, List<String> command, Map<String, String> environment) {

        /** The oomsim subcommand or service the entrypoint runs. */
        String program() {
            List<String> args = new ArrayList<>(
                    entrypoint.isEmpty() ? List.of() : entrypoint.subList(1, entrypoint.size()));
            args.addAll(command);
            return args.isEmpty() ? "--help" : args.get(0);
        }

        String option(String name) {
            int i = command.indexOf(name);
            return i < 0 || i + 1 >= command.size() ? null : command.get(i + 1);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Service> services(List<Path> files) throws IOException {
        Map<String, Map<String, Object>> merged = new LinkedHashMap<>();
        for (Path file : files) {
            Map<String, Object> root;
            try (Reader in = Files.newBufferedReader(file)) {
                root = new Yaml().load(in);
            }
            ((Map<String, Map<String, Object>>) root.get("services")).forEach((name, def) -> {
                Map<String, Object> into = merged.computeIfAbsent(name, n -> new LinkedHashMap<>());
                def.forEach((key, value) -> {
                    if (key.equals("environment") && into.get(key) instanceof Map<?, ?> earlier) {
                        Map<String, Object> env = new LinkedHashMap<>((Map<String, Object>) earlier);
                        env.putAll((Map<String, Object>) value);
                        into.put(key, env);
                    } else {
                        into.put(key, value);
                    }
                });
            });
        }
        Map<String, Service> services = new LinkedHashMap<>();
        merged.forEach((name, def) -> {
            Map<String, String> env = new TreeMap<>();
            if (def.get("env_file") instanceof String envFile) {
                env.putAll(envFile(ROOT.resolve(envFile)));
            }
            if (def.get("environment") instanceof Map<?, ?> m) {
                m.forEach((k, v) -> env.put(k.toString(), interpolate(String.valueOf(v))));
            }
            services.put(name, new Service(interpolate(String.valueOf(def.get("image"))),
                    strings(def.get("entrypoint")), strings(def.get("command")), env));
        });
        return services;
    }

    private static List<String> strings(Object list) {
        return list == null ? List.of() : ((List<?>) list).stream().map(o -> interpolate(o.toString())).toList();
    }

    /** Compose's {@code ${VAR:-default}} with the variable unset: its default. */
    private static String interpolate(String s) {
        Matcher m = INTERPOLATION.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        return m.appendTail(out).toString();
    }

    private static Map<String, String> envFile(Path file) {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                int eq = l.indexOf('=');
                env.put(l.substring(0, eq), l.substring(eq + 1));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return env;
    }
}
