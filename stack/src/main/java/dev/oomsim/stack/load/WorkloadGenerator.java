package dev.oomsim.stack.load;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.profile.Profile;
import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.EventType;
import dev.oomsim.schemas.TaskEvent;
import dev.oomsim.schemas.TaskEventKind;

/**
 * Turns a workload and a seed into its exact record sequence: the same workload and seed always give the same
 * records in the same order (a {@link SplittableRandom} seeded once draws every choice). Simulated time advances in
 * {@link #TICK_NANOS} steps; in each step every live task, in file order, spawns, bursts, grows by its rate (whole
 * requests, the remainder carried to the next step) and exits. Requests are named {@code load-<seed>-<n>}.
 */
public final class WorkloadGenerator implements Iterator<LoadRecord> {

    /** The simulated step: 10 ms. */
    public static final long TICK_NANOS = 10_000_000L;

    static {
        // Avro 1.12 builds our records only once the schemas module has trusted its classes (EventType does it).
        EventType.TASK_EVENT.recordClass();
    }

    private final Workload workload;
    private final long seed;
    private final long endNanos;
    private final SplittableRandom random;
    private final Profile profile;
    private final long[][] gfpMasks;
    private final double[] budget;
    private final ArrayDeque<LoadRecord> pending = new ArrayDeque<>();
    private long tick;
    private long sequence;

    /**
     * @param duration simulated nanoseconds to run, or a non-positive value for the workload's {@code duration_s}
     */
    public WorkloadGenerator(Workload workload, long seed, long duration) {
        this.workload = workload;
        this.seed = seed;
        this.endNanos = duration > 0 ? duration : (long) (workload.durationS() * 1e9);
        this.random = new SplittableRandom(seed);
        this.profile = Profile.valueOf(workload.profile().toUpperCase(java.util.Locale.ROOT));
        this.gfpMasks = new long[workload.tasks().size()][];
        for (int i = 0; i < gfpMasks.length; i++) {
            Map<String, Integer> mix = workload.tasks().get(i).gfp();
            long[] masks = new long[mix.size()];
            int j = 0;
            for (String expr : mix.keySet()) {
                try {
                    masks[j++] = Integer.toUnsignedLong(GfpFlags.parse(expr, profile, Arch.X86_64).raw(profile));
                } catch (IllegalArgumentException e) {
                    throw new WorkloadException("tasks[" + i + "].gfp: " + e.getMessage(), e);
                }
            }
            gfpMasks[i] = masks;
        }
        this.budget = new double[workload.tasks().size()];
    }

    /** The profile whose gfp bit layout the requests carry. */
    public Profile profile() {
        return profile;
    }

    /** All records at once (small workloads and tests). */
    public static List<LoadRecord> all(Workload workload, long seed, long duration) {
        List<LoadRecord> out = new java.util.ArrayList<>();
        new WorkloadGenerator(workload, seed, duration).forEachRemaining(out::add);
        return out;
    }

    @Override
    public boolean hasNext() {
        while (pending.isEmpty() && tick * TICK_NANOS < endNanos) {
            step();
        }
        return !pending.isEmpty();
    }

    @Override
    public LoadRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return pending.poll();
    }

    private void step() {
        long now = tick * TICK_NANOS;
        long next = now + TICK_NANOS;
        List<Workload.Task> tasks = workload.tasks();
        for (int i = 0; i < tasks.size(); i++) {
            Workload.Task t = tasks.get(i);
            long spawn = nanos(t.spawnAtS());
            long exit = t.exitAtS() == null ? Long.MAX_VALUE : nanos(t.exitAtS());
            if (spawn >= now && spawn < next) {
                pending.add(new LoadRecord.Task(now, spawnEvent(t)));
            }
            if (spawn >= next || exit < now) {
                continue;
            }
            boolean exiting = exit >= now && exit < next;
            if (!exiting) {
                for (Workload.Burst b : t.bursts()) {
                    long at = nanos(b.atS());
                    if (at >= now && at < next) {
                        for (int n = 0; n < b.requests(); n++) {
                            pending.add(alloc(now, i, t));
                        }
                    }
                }
                budget[i] += t.pagesPerS() * TICK_NANOS / 1e9;
                while (budget[i] > 0 && t.pagesPerS() > 0) {
                    LoadRecord.Request r = alloc(now, i, t);
                    budget[i] -= 1L << r.request().getOrder();
                    pending.add(r);
                }
            } else {
                pending.add(new LoadRecord.Request(now, t.placement().firstKey(), AllocRequest.newBuilder()
                        .setRequestId(nextId()).setSequence(sequence - 1).setOp(AllocOp.EXIT).setPid(t.pid())
                        .setGfpMask(0).setOrder(0).setPreferredNode(-1).build()));
            }
        }
        tick++;
    }

    private LoadRecord.Request alloc(long now, int i, Workload.Task t) {
        int node = pick(t.placement());
        int order = pick(t.orders());
        long gfp = gfpMasks[i][pickIndex(t.gfp())];
        AllocRequest r = AllocRequest.newBuilder().setRequestId(nextId()).setSequence(sequence - 1)
                .setOp(AllocOp.ALLOC).setPid(t.pid()).setGfpMask(gfp).setOrder(order).setPreferredNode(node).build();
        return new LoadRecord.Request(now, node, r);
    }

    private String nextId() {
        return "load-" + seed + "-" + sequence++;
    }

    private static TaskEvent spawnEvent(Workload.Task t) {
        return TaskEvent.newBuilder().setPid(t.pid()).setKind(TaskEventKind.SPAWN).setComm(t.comm()).setUid(t.uid())
                .setTgid(t.pid()).setParent(1).setMmId(t.pid()).setOomScoreAdj(t.oomScoreAdj()).build();
    }

    private int pick(Map<Integer, Integer> weights) {
        int i = pickIndex(weights);
        for (int key : weights.keySet()) {
            if (i-- == 0) {
                return key;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private int pickIndex(Map<?, Integer> weights) {
        int total = 0;
        for (int w : weights.values()) {
            total += w;
        }
        int r = random.nextInt(total);
        int i = 0;
        for (int w : weights.values()) {
            if (r < w) {
                return i;
            }
            r -= w;
            i++;
        }
        throw new IllegalStateException("unreachable");
    }

    private static long nanos(double seconds) {
        return Math.round(seconds * 1e9);
    }
}
