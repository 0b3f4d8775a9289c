package dev.oomsim.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.oomsim.agent.runtime.CommandLog;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.testkit.EmbeddedKafkaExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent stopped mid-load — with a request suspended at oom_lock whose journaled lock result may or may not have
 * been committed — and a new incarnation started on the same command log: it replays its log with output off and
 * carries on. Every request has exactly one outcome, and results and final node state equal an uninterrupted run.
 */
class CrashRecoveryIT {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.create();

    private static final String MACHINE = """
            sysctl: {min_free_kbytes: 1024}
            nodes:
              - id: 0
                zones:
                  - {type: NORMAL, managed_pages: 8192, free_pages: 40}
            tasks:
              - {pid: 1, comm: init, flags: [global_init], rss: {0: {anon: 100}}}
              - {pid: 100, comm: cache, rss: {0: {anon: 3000}}, nr_ptes: 8, total_vm: 4000}
              - {pid: 200, comm: worker, rss: {0: {anon: 2000, file: 500}}, nr_ptes: 6, total_vm: 3000}
              - {pid: 300, comm: agent, rss: {0: {anon: 1200}}, nr_ptes: 4, total_vm: 2000}
              - {pid: 1000, comm: bash, rss: {0: {anon: 100}}, nr_ptes: 1, total_vm: 300}
            events:
              - alloc: {pid: 1000, gfp: GFP_KERNEL, order: 0}
              - alloc: {pid: 300, gfp: GFP_KERNEL, order: 2}
              - alloc: {pid: 300, gfp: GFP_KERNEL, order: 0}
              - set: {pid: 300, oom_score_adj: 900}
              - oom_score: {pid: 300}
              - may_oom: {pid: 200, gfp: GFP_KERNEL, order: 3}
              - exit: {pid: 200}
              - alloc: {pid: 1000, gfp: GFP_KERNEL, order: 1}
              - alloc: {pid: 1000, gfp: GFP_NOFS, order: 0}
              - alloc: {pid: 1000, gfp: GFP_KERNEL, order: 0}
              - oom_score: {pid: 1000}
            """;

    @Test
    void aRestartedAgentReplaysItsLogAndEndsExactlyAsAnUninterruptedRun() throws Exception {
        Scenario scenario = ScenarioParser.parse(new ObjectMapper(new YAMLFactory()).readValue(MACHINE, Object.class));
        ScenarioRun uninterrupted = DistributedSimulation.run(scenario, KAFKA.bootstrapServers(),
                new Topics(KAFKA.uniqueTopic("whole") + ".", 1));
        assertThat(uninterrupted.results()).hasSize(scenario.events().size());
        int crashAt = 5;
        assertThat(((EventResult.Alloc) uninterrupted.results().get(crashAt)).mayOomCalls())
                .as("the request the agent stops under goes through oom_lock").isPositive();

        Topics topics = new Topics(KAFKA.uniqueTopic("crash") + ".", 1);
        new TopicEnsurer(KAFKA.admin(), (short) 1).ensure(topics.all());
        List<EventResult> results = new ArrayList<>();
        Map<String, Object> state;
        try (DistributedSimulation.Feeder feeder = new DistributedSimulation.Feeder(KAFKA.bootstrapServers(), topics)) {
            Agent first = Agent.start(scenario, topics);
            for (int i = 0; i < crashAt; i++) {
                results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i))));
            }
            // Event 5 is a direct __alloc_pages_may_oom call: it takes oom_lock. Stop the agent while the request
            // may be suspended there, its journaled lock result committed or not.
            feeder.submit(command(scenario, crashAt));
            first.stop();

            Agent second = Agent.start(scenario, topics);
            results.add(OutcomeMapper.toResult(feeder.outcome("event-" + crashAt)));
            for (int i = crashAt + 1; i < scenario.events().size(); i++) {
                results.add(OutcomeMapper.toResult(feeder.request(command(scenario, i))));
            }
            state = DistributedSimulation.stateTree(feeder.snapshot("final"));
            second.stop();
        }

        assertThat(results).containsExactlyElementsOf(uninterrupted.results());
        assertThat(state).isEqualTo(uninterrupted.state());
        List<String> reported = progressRequestIds(topics);
        assertThat(reported).doesNotHaveDuplicates().hasSize(scenario.events().size());
    }

    private static dev.oomsim.schemas.AllocRequest command(Scenario scenario, int i) {
        return DistributedSimulation.command("event-" + i, i, scenario.events().get(i), scenario.profile());
    }

    private static List<String> progressRequestIds(Topics topics) {
        return KAFKA.readAll(topics.progress().name()).stream()
                .map(r -> topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value()).getRequestId())
                .toList();
    }

    /** One agent incarnation: its own kernel booted from the machine, its own lock contender, the node's command log. */
    private record Agent(CommandLog log, Thread thread, ClusterLock lock) {
        static Agent start(Scenario scenario, Topics topics) {
            ClusterLock lock = new CompactedTopicClusterLock(KAFKA.bootstrapServers(), topics.oomLock().name(), "node-0",
                    new SimpleMeterRegistry());
            CommandLog log = new CommandLog(new CommandLog.Settings(KAFKA.bootstrapServers(), topics, 0,
                    Duration.ofMillis(20), "node-agent-0"), new KernelNode(0, scenario, topics, lock), new SimpleMeterRegistry());
            Thread t = new Thread(log, "node-agent-0");
            t.start();
            return new Agent(log, t, lock);
        }

        void stop() throws InterruptedException {
            log.close();
            thread.join(15_000);
            lock.close();
        }
    }
}
