package dev.oomsim.bench.live;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import dev.oomsim.bench.BaselineRef;
import dev.oomsim.bench.BenchContext;
import dev.oomsim.bench.BenchRow;
import dev.oomsim.bench.BenchSettings;
import dev.oomsim.bench.LiveBenchmark;
import dev.oomsim.bench.Target;
import dev.oomsim.bench.agent.AgentMachines;
import dev.oomsim.bench.agent.AllocationMix;
import dev.oomsim.bench.agent.CommandFeed;
import dev.oomsim.bench.agent.OutputWatch;
import dev.oomsim.bench.agent.PassThroughLoop;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.Topics;
import dev.oomsim.stack.OomsimCluster;
import org.apache.kafka.common.TopicPartition;

/**
 * Allocation events per second through real node agents, beside the Kafka I/O floor measured on the same records in
 * the same run: a {@link PassThroughLoop} per partition (the agent's transactional consume→produce loop with the
 * simulation taken out) copying the requests to {@code progress}.
 *
 * <p>Each node's requests are an {@link AllocationMix} (a steady state of allocations that succeed on the fast path
 * and frees of held blocks), produced to the node's partition before the loop under test starts. The rate is timed
 * as a downstream reader sees it: the outcomes made visible on {@code progress} (read_committed) from the transaction
 * that shows the last warm-up request's to the one that shows the last request's, over the time between the two, so
 * loop start-up and the first JIT passes are left out of both figures alike. Afterwards every agent outcome is checked
 * against the kernel model's (same pfn for every allocation): the agents must really run the kernel per request.
 *
 * <p>Two machines: one 64 GiB node (one agent), and a 4-node machine of such nodes, one agent per node, each fed
 * only its own node's requests (4 pass-through loops against it).
 */
public final class AgentThroughputBenchmark implements LiveBenchmark {

    static final String ID_PREFIX = "mix-";
    static final Target TARGET = Target.atLeastTimesBaseline(0.7);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
    /** The agents' and pass-through loops' consumer poll timeout: the service's default ({@code poll.timeout.ms}). */
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    /**
     * How many requests, sized from the run's produce count: quick 2 500 measured (100 000 / 40), full 25 000, shared
     * by the nodes of the machine; the warm-up fills the held band and walks in it as long again. (An agent runs
     * about a thousand requests a second on a loaded 2-core machine, so more would not fit a quick run.)
     *
     * @param measuredPerNode requests per node between the two marks
     * @param warmupPerNode   requests per node before the first mark
     * @param plan            the mix of each node ({@code requests} = warm-up + measured)
     */
    record Sizing(int measuredPerNode, int warmupPerNode, AllocationMix.Plan plan) {
        static Sizing of(BenchSettings settings, int nodes) {
            int measured = (int) Math.max(100, settings.produceRecords() / 40 / nodes);
            int heldLow = Math.min(8_192, Math.max(16, measured / 8));
            int warmup = 2 * heldLow;
            return new Sizing(measured, warmup,
                    new AllocationMix.Plan(warmup + measured, heldLow, 2 * heldLow, 20_251_125L));
        }
    }

    @Override
    public String name() {
        return "node agent throughput";
    }

    @Override
    public List<BenchRow> run(BenchContext context) throws Exception {
        List<BenchRow> rows = new ArrayList<>(measure(context, 1, "1 agent, one 64 GiB node"));
        rows.addAll(measure(context, 4, "4 agents of one 4-node machine (64 GiB nodes), each its own node's requests"));
        return rows;
    }

    private List<BenchRow> measure(BenchContext context, int nodes, String what) throws Exception {
        Scenario machine = AgentMachines.parse(AgentMachines.throughput(nodes));
        List<Integer> nodeIds = IntStream.range(0, nodes).boxed().toList();
        Sizing sizing = Sizing.of(context.settings(), nodes);
        List<AllocationMix.Mix> mixes = new ArrayList<>();
        for (int n : nodeIds) {
            mixes.add(AllocationMix.generate(machine, n, sizing.plan(), ID_PREFIX));
        }
        long warmMark = (long) nodes * sizing.warmupPerNode();
        long endMark = warmMark + (long) nodes * sizing.measuredPerNode();
        String records = String.format(java.util.Locale.ROOT, "%,d requests after %,d warm-up", endMark - warmMark,
                warmMark);

        Topics passTopics = freshTopics(context, nodes);
        List<CommandFeed.Encoded> encoded = CommandFeed.encode(passTopics, mixes);
        CommandFeed.produce(context.bootstrapServers(), passTopics, encoded);
        context.progress().step("agent throughput, " + what + ": pass-through loops over " + records);
        double passRate = passThroughRate(context, passTopics, nodeIds, warmMark, endMark);

        Topics agentTopics = freshTopics(context, nodes);
        CommandFeed.produce(context.bootstrapServers(), agentTopics, encoded);
        context.progress().step("agent throughput, " + what + ": agents over the same requests");
        double agentRate;
        try (OutputWatch watch = new OutputWatch(context.bootstrapServers(), agentTopics.progress().name(),
                agentTopics.deadLetter().name(), warmMark, endMark);
             OomsimCluster agents = OomsimCluster.builder(machine).bootstrapServers(context.bootstrapServers())
                     .topics(agentTopics).ensureTopics(false).agents(nodeIds).pollTimeout(POLL_TIMEOUT).start()) {
            agentRate = rate(watch);
        }
        CommandFeed.verify(context.bootstrapServers(), agentTopics, mixes, ID_PREFIX, RUN_TIMEOUT);

        String loops = nodes == 1 ? "1 partition" : nodes + " partitions, a loop each";
        BaselineRef baseline = BaselineRef.measured("pass-through " + (nodes == 1 ? "1 partition" : "×" + nodes),
                "rec/s", passRate);
        return List.of(
                BenchRow.info("transactional pass-through consume→produce, " + loops + " (" + records + ")", passRate,
                        "rec/s"),
                BenchRow.against("node agent ALLOC/FREE events, " + what, agentRate, "rec/s", baseline, TARGET));
    }

    private static double passThroughRate(BenchContext context, Topics topics, List<Integer> nodes, long warmMark,
                                          long endMark) throws Exception {
        List<PassThroughLoop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (OutputWatch watch = new OutputWatch(context.bootstrapServers(), topics.progress().name(),
                topics.deadLetter().name(), warmMark, endMark)) {
            for (int n : nodes) {
                PassThroughLoop loop = new PassThroughLoop(context.bootstrapServers(),
                        new TopicPartition(topics.allocRequests().name(), n), topics.progress().name(),
                        topics.prefix() + "pass-through-" + n, POLL_TIMEOUT);
                loops.add(loop);
                Thread t = new Thread(loop, "bench-pass-through-" + n);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            return rate(watch);
        } finally {
            loops.forEach(PassThroughLoop::close);
            for (Thread t : threads) {
                t.join(15_000);
            }
        }
    }

    private static double rate(OutputWatch watch) throws InterruptedException {
        OutputWatch.Mark start = watch.awaitMark(0, RUN_TIMEOUT);
        return watch.awaitMark(1, RUN_TIMEOUT).ratePerSecondSince(start);
    }

    private static Topics freshTopics(BenchContext context, int nodes) {
        Topics topics = new Topics("oomsim-bench-" + UUID.randomUUID().toString().substring(0, 8) + ".", nodes);
        new TopicEnsurer(context.admin(), (short) 1).ensure(topics.all());
        return topics;
    }
}
