package dev.oomsim.bench.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.Page;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.scenario.ScenarioRunner;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.EventType;
import dev.oomsim.schemas.NodeCommand;

/**
 * A steady-state stream of requests for one node, as a load generator writes them to the node's partition of
 * {@code alloc-requests}: allocations (GFP_KERNEL, order 0 mostly, some orders 1–3) by the node's tasks, and frees of
 * blocks they hold, chosen at random so the free lists fragment as they would. The first {@code heldLow} requests
 * allocate; after them each request allocates or frees with equal chance, the number of held blocks walking between
 * {@code heldLow} and {@code heldHigh}, so the node never runs short and the stream is in a steady state.
 *
 * <p>A free must name the pfn the allocation got, so the stream is built by running it through the kernel model,
 * booted from the same machine as the agent: the model is deterministic, so the agent gets the same pfns, and the
 * model's outcome of every request is the one the agent must report ({@link Mix#expectedPfn}). Every allocation
 * must succeed on the fast path (an allocation that does not means the plan does not fit the machine: an error).
 */
public final class AllocationMix {

    /** GFP_KERNEL of Linux v4.4 (the seed profile's layout): __GFP_RECLAIM | __GFP_IO | __GFP_FS. */
    public static final long GFP_KERNEL = 0x24000c0L;

    /**
     * What to generate.
     *
     * @param requests how many requests
     * @param heldLow  up to this many held blocks the stream only allocates
     * @param heldHigh at this many held blocks it only frees; between the two, alloc or free with equal chance
     * @param seed     the random choices (orders, tasks, which block to free)
     */
    public record Plan(int requests, int heldLow, int heldHigh, long seed) {
        public Plan {
            if (requests < 1) {
                throw new IllegalArgumentException("requests must be >= 1, was " + requests);
            }
            if (heldLow < 1 || heldHigh <= heldLow) {
                throw new IllegalArgumentException("need 1 <= heldLow < heldHigh, was " + heldLow + ", " + heldHigh);
            }
        }
    }

    /**
     * The generated stream of one node.
     *
     * @param node        the node the requests are for (their preferred node and partition)
     * @param commands    the requests in log order, as {@link NodeCommand}s from outside the cluster
     * @param expectedPfn for each request, the first pfn the allocation must get; -1 for a free
     * @param allocs      how many of the requests are allocations
     * @param heldAtEnd   blocks still allocated after the last request
     */
    public record Mix(int node, List<NodeCommand> commands, long[] expectedPfn, int allocs, int heldAtEnd) {
        public int size() {
            return commands.size();
        }
    }

    static {
        // Loading the event catalogue tells Avro to trust our generated classes; building one needs that.
        EventType.NODE_COMMAND.schema();
    }

    private AllocationMix() {
    }

    /** Generates {@code plan} for {@code node} of {@code machine}, request ids prefixed {@code idPrefix}. */
    public static Mix generate(Scenario machine, int node, Plan plan, String idPrefix) {
        ScenarioRunner model = new ScenarioRunner(machine);
        GfpFlags gfp = GfpFlags.fromRaw((int) GFP_KERNEL, machine.profile());
        int[] pids = machine.tasks().stream()
                .filter(t -> t.rss().stream().anyMatch(r -> r.node() == node))
                .mapToInt(Scenario.TaskSpec::pid).toArray();
        if (pids.length == 0) {
            throw new IllegalArgumentException("no task of the machine holds pages on node " + node);
        }
        SplittableRandom random = new SplittableRandom(plan.seed());
        List<Held> held = new ArrayList<>();
        List<NodeCommand> commands = new ArrayList<>(plan.requests());
        long[] expected = new long[plan.requests()];
        int allocs = 0;
        for (int i = 0; i < plan.requests(); i++) {
            boolean alloc = held.size() <= plan.heldLow()
                    || (held.size() < plan.heldHigh() && random.nextBoolean());
            String id = idPrefix + node + "-" + i;
            AllocRequest.Builder b = AllocRequest.newBuilder().setRequestId(id).setSequence((long) i)
                    .setPreferredNode(node);
            if (alloc) {
                int pid = pids[random.nextInt(pids.length)];
                int order = order(random);
                EventResult r = model.runEvent(i, new Scenario.AllocEvent(id, pid, gfp, order, node));
                Page page = ((EventResult.Alloc) r).page();
                List<String> path = ((EventResult.Alloc) r).path();
                if (page == null || !path.equals(List.of("fastpath:ok"))) {
                    throw new IllegalStateException("request " + i + " (order " + order
                            + ") did not succeed on the fast "
                            + "path of node " + node + " (path " + path + "): the plan does not fit the machine");
                }
                held.add(new Held(pid, page.pfn(), order));
                expected[i] = page.pfn();
                allocs++;
                b.setOp(AllocOp.ALLOC).setPid(pid).setGfpMask(GFP_KERNEL).setOrder(order);
            } else {
                int k = random.nextInt(held.size());
                Held h = held.get(k);
                held.set(k, held.get(held.size() - 1));
                held.remove(held.size() - 1);
                model.runEvent(i, new Scenario.FreeEvent(id, h.pid, node, h.pfn, h.order));
                expected[i] = -1;
                b.setOp(AllocOp.FREE).setPid(h.pid).setGfpMask(0).setOrder(h.order).setPfn(h.pfn);
            }
            commands.add(NodeCommand.newBuilder().setCommandId(id).setOrigin(-1).setTaskEventsOffset(0)
                    .setBody(b.build()).build());
        }
        return new Mix(node, List.copyOf(commands), expected, allocs, held.size());
    }

    /** Order 0 for 85 % of allocations, 1 for 8 %, 2 for 5 %, 3 for 2 %. */
    static int order(SplittableRandom random) {
        int p = random.nextInt(100);
        if (p < 85) {
            return 0;
        }
        if (p < 93) {
            return 1;
        }
        return p < 98 ? 2 : 3;
    }

    private record Held(int pid, long pfn, int order) {
    }
}
