package dev.oomsim.agent.wire;

import dev.oomsim.kernel.Machine;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.mm.Zone;
import dev.oomsim.kernel.scenario.Scenario;
import dev.oomsim.kernel.task.Task;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.service.DeadLetterCategory;

/** An {@link AllocRequest} from the wire as the kernel event it names, or the reason it is bad input. Stateless. */
public final class RequestMapper {

    private RequestMapper() {
    }

    /**
     * The event request {@code r} names on node {@code nodeId} of {@code machine}: an unknown or dead pid, an order
     * outside {@code 0..MAX_ORDER-1}, another node's request, a FREE without a pfn, an invalid gfp mask or
     * {@code oom_score_adj} are rejected. A SNAPSHOT is no kernel event: the caller answers it before.
     */
    public static Scenario.Event toEvent(AllocRequest r, Machine machine, int nodeId) throws Rejected {
        String path = "request " + r.getRequestId();
        Task task = machine.tasks().get(r.getPid());
        if (task == null) {
            throw new Rejected(DeadLetterCategory.UNKNOWN_PID, "unknown pid " + r.getPid());
        }
        if (!task.alive()) {
            throw new Rejected(DeadLetterCategory.DEAD_PID, "pid " + r.getPid() + " has exited");
        }
        switch (r.getOp()) {
            case ALLOC, MAY_OOM, FREE -> {
                if (r.getOrder() < 0 || r.getOrder() >= Zone.MAX_ORDER) {
                    throw new Rejected(DeadLetterCategory.INVALID_ORDER,
                            "order " + r.getOrder() + " is outside 0.." + (Zone.MAX_ORDER - 1));
                }
                if (r.getPreferredNode() != nodeId && r.getPreferredNode() != -1) {
                    throw new Rejected(DeadLetterCategory.UNKNOWN_NODE,
                            "request for node " + r.getPreferredNode() + " reached node " + nodeId);
                }
            }
            default -> {
            }
        }
        return switch (r.getOp()) {
            case ALLOC -> new Scenario.AllocEvent(path, r.getPid(), gfp(r, machine), r.getOrder(),
                    r.getPreferredNode());
            case MAY_OOM -> new Scenario.MayOomEvent(path, r.getPid(), gfp(r, machine), r.getOrder(),
                    r.getPreferredNode());
            case FREE -> {
                if (r.getPfn() == null) {
                    throw new Rejected(DeadLetterCategory.INVALID_FREE, "a FREE request needs a pfn");
                }
                yield new Scenario.FreeEvent(path, r.getPid(), nodeId, r.getPfn(), r.getOrder());
            }
            case EXIT -> new Scenario.ExitEvent(path, r.getPid());
            case SET_ADJ -> new Scenario.SetEvent(path, r.getPid(),
                    OomScoreAdj.check(r.getOomScoreAdj(), DeadLetterCategory.INVALID_ADJ, ""));
            case CHARGE -> new Scenario.ChargeEvent(path, r.getPid(), r.getPages());
            case OOM_SCORE -> new Scenario.OomScoreEvent(path, r.getPid());
            case SNAPSHOT -> throw new IllegalStateException("SNAPSHOT is handled before");
        };
    }

    /** The request's raw gfp mask in the machine's profile, checked to name a zone of its arch. */
    private static GfpFlags gfp(AllocRequest r, Machine machine) throws Rejected {
        try {
            GfpFlags gfp = GfpFlags.fromRaw(r.getGfpMask(), machine.profile());
            gfp.gfpZone(machine.arch());
            return gfp;
        } catch (IllegalArgumentException e) {
            throw new Rejected(DeadLetterCategory.INVALID_GFP,
                    String.format("invalid gfp 0x%x: %s", r.getGfpMask(), e.getMessage()));
        }
    }
}
