package dev.oomsim.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.oomsim.agent.runtime.CommandLog;
import dev.oomsim.broker.EmbeddedKafkaBroker;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioParser;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.DeadLetter;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskState;
import dev.oomsim.schemas.ZoneState;
import dev.oomsim.schemas.topics.TopicEnsurer;
import dev.oomsim.schemas.topics.TopicSpec;
import dev.oomsim.schemas.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code oomsim simulate --distributed}: a scenario through the real stack — an embedded Kafka broker, a node agent
 * per node of the machine, every event fed one at a time as a command and its outcome read back from
 * {@code progress} — printing the same lines as the in-process run (boot, one result per event, final state).
 */
public final class DistributedSimulation {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private DistributedSimulation() {
    }

    /** Runs the scenario tree through a fresh embedded broker and agents; returns the run as the model reports one. */
    public static ScenarioRun run(Object scenarioTree) {
        Scenario scenario = ScenarioParser.parse(scenarioTree);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            return run(scenario, broker.bootstrapServers(), Topics.defaults(scenario.nodes().size()));
        }
    }

    /** Runs the scenario against agents this call starts on {@code bootstrapServers}, with fresh topics. */
    public static ScenarioRun run(Scenario scenario, String bootstrapServers, Topics topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            new TopicEnsurer(admin, (short) 1).ensure(topics.all());
        }
        List<CommandLog> agents = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<ClusterLock> locks = new ArrayList<>();
        try {
            startAgents(scenario, bootstrapServers, topics, agents, threads, locks);
            return feed(scenario, bootstrapServers, topics);
        } finally {
            agents.forEach(CommandLog::close);
            for (Thread t : threads) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            locks.forEach(ClusterLock::close);
        }
    }

    private static void startAgents(Scenario scenario, String bootstrapServers, Topics topics, List<CommandLog> agents,
            List<Thread> threads, List<ClusterLock> locks) {
        if (scenario.oomLockHeld()) {
            // "oom_lock: held" means held by someone outside the scenario: a contender of its own takes it and keeps it.
            ClusterLock outside = new CompactedTopicClusterLock(bootstrapServers, topics.oomLock().name(), "outside",
                    new SimpleMeterRegistry());
            locks.add(outside);
            if (outside.tryLock().isEmpty()) {
                throw new IllegalStateException("the outside contender could not take oom_lock on a fresh topic");
            }
        }
        for (int node = 0; node < scenario.nodes().size(); node++) {
            ClusterLock lock = new CompactedTopicClusterLock(bootstrapServers, topics.oomLock().name(), "node-" + node,
                    new SimpleMeterRegistry());
            locks.add(lock);
            KernelNode kernelNode = new KernelNode(scenario.nodes().get(node).id(), scenario, topics, lock);
            CommandLog agent = new CommandLog(new CommandLog.Settings(bootstrapServers, topics, node,
                    Duration.ofMillis(20), "node-agent-" + node), kernelNode, new SimpleMeterRegistry());
            Thread t = new Thread(agent, "node-agent-" + node);
            t.setDaemon(true);
            t.start();
            agents.add(agent);
            threads.add(t);
        }
    }

    private static ScenarioRun feed(Scenario scenario, String bootstrapServers, Topics topics) {
        // The feeder's own copy of the machine answers only "which node's CPU runs this task" (its cpuset's first node).
        dev.oomsim.kernel.Machine machine = new dev.oomsim.kernel.scenario.ScenarioRunner(scenario).machine();
        List<Integer> nodes = machine.nodes().stream().map(dev.oomsim.kernel.mm.NumaNode::id).toList();
        try (Feeder feeder = new Feeder(bootstrapServers, topics)) {
            Map<String, Object> boot = bootTree(feeder.snapshots("boot", nodes));
            List<EventResult> results = new ArrayList<>();
            List<Scenario.Event> events = scenario.events();
            for (int i = 0; i < events.size(); i++) {
                Scenario.Event event = events.get(i);
                ProgressEvent outcome = feeder.request(command("event-" + i, i, event, scenario.profile()),
                        originNode(event, machine));
                results.add(OutcomeMapper.toResult(outcome));
                if (outcome.getPanic() != null) {
                    break;
                }
            }
            return new ScenarioRun(boot, results, stateTree(feeder.snapshots("final", nodes)));
        }
    }

    /**
     * The node whose agent runs an event: an allocation's node (where the allocating CPU is), a free's page node,
     * else the node of the task's CPU, the first node of its cpuset (the kernel's {@code numa_node_id()} here).
     */
    static int originNode(Scenario.Event event, dev.oomsim.kernel.Machine machine) {
        int node = -1;
        if (event instanceof Scenario.AllocEvent a) {
            node = a.node();
        } else if (event instanceof Scenario.MayOomEvent a) {
            node = a.node();
        } else if (event instanceof Scenario.FreeEvent f) {
            node = f.node();
        }
        if (node >= 0) {
            return node;
        }
        dev.oomsim.kernel.task.Task t = machine.tasks().get(event.pid());
        return t == null ? machine.nodes().get(0).id() : t.cpuset().mems().first();
    }

    /** The scenario event as the request a load producer would send (gfp bits in the profile's own layout). */
    static AllocRequest command(String requestId, int sequence, Scenario.Event event, dev.oomsim.kernel.profile.Profile profile) {
        AllocRequest.Builder b = AllocRequest.newBuilder().setRequestId(requestId).setSequence((long) sequence)
                .setGfpMask(0).setOrder(0).setPreferredNode(-1);
        if (event instanceof Scenario.AllocEvent a) {
            return b.setOp(AllocOp.ALLOC).setPid(a.pid()).setGfpMask(Integer.toUnsignedLong(a.gfp().raw(profile)))
                    .setOrder(a.order()).setPreferredNode(a.node()).build();
        }
        if (event instanceof Scenario.MayOomEvent a) {
            return b.setOp(AllocOp.MAY_OOM).setPid(a.pid()).setGfpMask(Integer.toUnsignedLong(a.gfp().raw(profile)))
                    .setOrder(a.order()).setPreferredNode(a.node()).build();
        }
        if (event instanceof Scenario.FreeEvent f) {
            return b.setOp(AllocOp.FREE).setPid(f.pid()).setPreferredNode(f.node()).setPfn(f.pfn()).setOrder(f.order()).build();
        }
        if (event instanceof Scenario.ExitEvent x) {
            return b.setOp(AllocOp.EXIT).setPid(x.pid()).build();
        }
        if (event instanceof Scenario.SetEvent s) {
            return b.setOp(AllocOp.SET_ADJ).setPid(s.pid()).setOomScoreAdj(s.oomScoreAdj()).build();
        }
        if (event instanceof Scenario.ChargeEvent c) {
            return b.setOp(AllocOp.CHARGE).setPid(c.pid()).setPages(c.pages()).build();
        }
        Scenario.OomScoreEvent s = (Scenario.OomScoreEvent) event;
        return b.setOp(AllocOp.OOM_SCORE).setPid(s.pid()).build();
    }

    /** The boot line from every node's snapshot (machine-wide figures from the first). */
    static Map<String, Object> bootTree(List<NodeState> nodes) {
        NodeState first = nodes.get(0);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("profile", first.getProfile().name().toLowerCase(java.util.Locale.ROOT));
        b.put("min_free_kbytes", first.getMinFreeKbytes());
        b.put("totalram_pages", first.getTotalramPages());
        List<Object> zones = new ArrayList<>();
        for (NodeState s : nodes) {
            for (ZoneState z : s.getZones()) {
                Map<String, Object> zt = zoneEntry(s, z);
                zt.put("managed", z.getManagedPages());
                Map<String, Object> w = new LinkedHashMap<>();
                w.put("min", z.getWatermarkMin());
                w.put("low", z.getWatermarkLow());
                w.put("high", z.getWatermarkHigh());
                zt.put("watermarks", w);
                zt.put("lowmem_reserve", new ArrayList<Object>(z.getLowmemReserve()));
                zones.add(zt);
            }
        }
        b.put("zones", zones);
        return b;
    }

    /** A zone's entry in the boot and state lines, starting with its node and type. */
    private static Map<String, Object> zoneEntry(NodeState s, ZoneState z) {
        Map<String, Object> zt = new LinkedHashMap<>();
        zt.put("node", s.getNode());
        zt.put("zone", z.getZone().name());
        return zt;
    }

    /**
     * The final state from every node's snapshot: each node's zones, and each task as the first node's copy of the
     * task table has it with its rss on every node. The copies must agree; a disagreement is a bug, reported as one.
     */
    static Map<String, Object> stateTree(List<NodeState> nodes) {
        Map<String, Object> st = new LinkedHashMap<>();
        List<Object> zones = new ArrayList<>();
        for (NodeState s : nodes) {
            for (ZoneState z : s.getZones()) {
                Map<String, Object> zt = zoneEntry(s, z);
                zt.put("free", z.getFreePages());
                zt.put("nr_free", new ArrayList<Object>(z.getNrFree()));
                zones.add(zt);
            }
        }
        st.put("zones", zones);
        List<Object> tasks = new ArrayList<>();
        List<TaskState> first = nodes.get(0).getTasks();
        for (int i = 0; i < first.size(); i++) {
            TaskState t = first.get(i);
            Map<String, Object> tt = new LinkedHashMap<>();
            tt.put("pid", t.getPid());
            tt.put("alive", t.getAlive());
            tt.put("memdie", t.getMemdie());
            tt.put("killed", t.getKilled());
            Map<String, Object> rss = new LinkedHashMap<>();
            for (NodeState s : nodes) {
                TaskState other = s.getTasks().get(i);
                if (other.getPid() != t.getPid() || other.getAlive() != t.getAlive()
                        || other.getMemdie() != t.getMemdie() || other.getKilled() != t.getKilled()) {
                    throw new IllegalStateException("the task tables of node " + nodes.get(0).getNode() + " and node "
                            + s.getNode() + " disagree on pid " + t.getPid() + ": " + t + " vs " + other);
                }
                rss.put(String.valueOf(s.getNode()), other.getRssPages());
            }
            tt.put("rss", rss);
            tasks.add(tt);
        }
        st.put("tasks", tasks);
        st.put("oom_lock", nodes.get(0).getOomLockHeld() ? "held" : "free");
        return st;
    }

    /**
     * Sends commands one at a time and reads each one's outcome back (read_committed). Commands are stamped with the
     * end of {@code task-events} when the feeder started: tasks spawned there before are known to its requests.
     */
    static final class Feeder implements AutoCloseable {
        private final Topics topics;
        private final long taskEventsStamp;
        private final KafkaProducer<byte[], byte[]> producer;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<String, ProgressEvent> progress = new HashMap<>();
        private final Map<String, NodeState> states = new HashMap<>();
        private final Map<String, DeadLetter> rejected = new HashMap<>();

        Feeder(String bootstrapServers, Topics topics) {
            this.topics = topics;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
                this.taskEventsStamp = TaskEventsPosition.committedEnd(admin, topics);
            }
            Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            this.producer = new KafkaProducer<>(p);
            Map<String, Object> c = new HashMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            this.consumer = new KafkaConsumer<>(c);
            List<TopicPartition> parts = new ArrayList<>();
            for (TopicSpec<?, ?> t : List.of(topics.progress(), topics.nodeState(), topics.deadLetter())) {
                consumer.partitionsFor(t.name()).forEach(pi -> parts.add(new TopicPartition(t.name(), pi.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        ProgressEvent request(AllocRequest request, int node) {
            send(request, node);
            return outcome(request.getRequestId());
        }

        /** Sends a request to {@code node}'s agent without waiting for its outcome. */
        void submit(AllocRequest request, int node) {
            send(request, node);
        }

        /** Waits for the outcome of a request sent before. */
        ProgressEvent outcome(String requestId) {
            return await(requestId, progress);
        }

        NodeState snapshot(String requestId, int node) {
            send(AllocRequest.newBuilder().setRequestId(requestId).setOp(AllocOp.SNAPSHOT).setPid(0)
                    .setGfpMask(0).setOrder(0).setPreferredNode(node).build(), node);
            return await(requestId, states);
        }

        /** A snapshot of each node, in the order given. */
        List<NodeState> snapshots(String requestId, List<Integer> nodes) {
            List<NodeState> out = new ArrayList<>();
            for (int node : nodes) {
                out.add(snapshot(requestId + "-" + node, node));
            }
            return out;
        }

        private void send(AllocRequest request, int node) {
            NodeCommand command = NodeCommand.newBuilder().setCommandId(request.getRequestId()).setOrigin(-1)
                    .setTaskEventsOffset(taskEventsStamp).setBody(request).build();
            TopicSpec<Integer, NodeCommand> t = topics.allocRequests();
            try {
                producer.send(new ProducerRecord<>(t.name(), node, t.keySerde().serializer().serialize(t.name(), node),
                        t.valueSerde().serializer().serialize(t.name(), command))).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted sending " + request.getRequestId(), e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("cannot send " + request.getRequestId() + ": " + e.getCause().getMessage(), e);
            }
        }

        private <V> V await(String requestId, Map<String, V> into) {
            long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
            while (!into.containsKey(requestId)) {
                DeadLetter letter = rejected.get(requestId);
                if (letter != null) {
                    throw new IllegalStateException("request " + requestId + " was rejected: " + letter.getReason());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("no outcome for " + requestId + " within " + REQUEST_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    if (r.topic().equals(topics.progress().name())) {
                        ProgressEvent e = topics.progress().valueSerde().deserializer().deserialize(r.topic(), r.value());
                        progress.put(e.getRequestId(), e);
                    } else if (r.topic().equals(topics.nodeState().name())) {
                        NodeState s = topics.nodeState().valueSerde().deserializer().deserialize(r.topic(), r.value());
                        if (s.getRequestId() != null) {
                            states.put(s.getRequestId(), s);
                        }
                    } else {
                        DeadLetter d = topics.deadLetter().valueSerde().deserializer().deserialize(r.topic(), r.value());
                        NodeCommand source = decodeSource(d);
                        if (source != null && source.getBody() instanceof AllocRequest request) {
                            rejected.put(request.getRequestId(), d);
                        }
                    }
                }
            }
            return into.get(requestId);
        }

        private NodeCommand decodeSource(DeadLetter d) {
            if (d.getValue() == null) {
                return null;
            }
            byte[] bytes = new byte[d.getValue().remaining()];
            d.getValue().duplicate().get(bytes);
            try {
                return topics.allocRequests().valueSerde().deserializer().deserialize(d.getSourceTopic(), bytes);
            } catch (RuntimeException e) {
                return null;
            }
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

}
