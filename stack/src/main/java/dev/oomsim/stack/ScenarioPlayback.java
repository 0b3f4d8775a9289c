package dev.oomsim.stack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.oomsim.agent.ClusterLock;
import dev.oomsim.agent.CompactedTopicClusterLock;
import dev.oomsim.agent.wire.OutcomeMapper;
import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.NumaNode;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioRun;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.NodeState;
import dev.oomsim.schemas.ProgressEvent;
import dev.oomsim.schemas.TaskState;
import dev.oomsim.schemas.ZoneState;
import dev.oomsim.schemas.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A scenario played through running agents: every event fed one at a time as the command a load producer would send,
 * its outcome read back from {@code progress}, the boot and final lines rebuilt from every node's {@code node-state}
 * — the same {@link ScenarioRun} the in-process model reports ({@code simulate --distributed} and the differential
 * test compare the two).
 */
public final class ScenarioPlayback {

    private ScenarioPlayback() {
    }

    /**
     * Plays {@code scenario} through the agents of {@code cluster}, which must run every node's agent on fresh topics.
     * A scenario whose {@code oom_lock} is held by someone outside it gets a contender of its own that takes the lock
     * first and keeps it for the whole run.
     */
    public static ScenarioRun play(Scenario scenario, OomsimCluster cluster) {
        if (!scenario.oomLockHeld()) {
            return feed(scenario, cluster.bootstrapServers(), cluster.topics());
        }
        try (ClusterLock outside = new CompactedTopicClusterLock(cluster.bootstrapServers(),
                cluster.topics().oomLock().name(), "outside", new SimpleMeterRegistry())) {
            if (outside.tryLock().isEmpty()) {
                throw new IllegalStateException("the outside contender could not take oom_lock on a fresh topic");
            }
            return feed(scenario, cluster.bootstrapServers(), cluster.topics());
        }
    }

    /**
     * Starts the machine's agents on an existing broker with fresh {@code topics}, plays {@code scenario} through them
     * and stops them.
     */
    public static ScenarioRun play(Scenario scenario, String bootstrapServers, Topics topics) {
        try (OomsimCluster cluster = OomsimCluster.builder(scenario).bootstrapServers(bootstrapServers).topics(topics)
                .start()) {
            return play(scenario, cluster);
        }
    }

    private static ScenarioRun feed(Scenario scenario, String bootstrapServers, Topics topics) {
        // The feeder's own copy of the machine answers only "which node's CPU runs this task" (its cpuset's first
        // node).
        Machine machine = new ScenarioRunner(scenario).machine();
        List<Integer> nodes = machine.nodes().stream().map(NumaNode::id).toList();
        try (ScenarioFeeder feeder = new ScenarioFeeder(bootstrapServers, topics)) {
            Map<String, Object> boot = bootTree(feeder.snapshots("boot", nodes));
            List<EventResult> results = new ArrayList<>();
            List<Scenario.Event> events = scenario.events();
            for (int i = 0; i < events.size(); i++) {
                Scenario.Event event = events.get(i);
                AllocRequest request = command("event-" + i, i, event, scenario.profile());
                if (scenario.clockMs(i) != Scenario.NO_CLOCK) {
                    request.setAtMs(scenario.clockMs(i));
                }
                ProgressEvent outcome = feeder.request(request, originNode(event, machine));
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
    public static int originNode(Scenario.Event event, Machine machine) {
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
        Task t = machine.tasks().get(event.pid());
        return t == null ? machine.nodes().get(0).id() : t.cpuset().mems().first();
    }

    /** The scenario event as the request a load producer would send (gfp bits in the profile's own layout). */
    public static AllocRequest command(String requestId, int sequence, Scenario.Event event, Profile profile) {
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
            return b.setOp(AllocOp.FREE).setPid(f.pid()).setPreferredNode(f.node()).setPfn(f.pfn()).setOrder(f.order())
                    .build();
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
    public static Map<String, Object> bootTree(List<NodeState> nodes) {
        NodeState first = nodes.get(0);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("profile", first.getProfile().name().toLowerCase(Locale.ROOT));
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
    public static Map<String, Object> stateTree(List<NodeState> nodes) {
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
}
