package dev.oomsim.agent.wire;

import java.util.ArrayList;
import java.util.List;

import dev.oomsim.kernel.mm.Page;
import dev.oomsim.kernel.oom.Chosen;
import dev.oomsim.kernel.oom.OomOutcome;
import dev.oomsim.kernel.scenario.EventResult;
import dev.oomsim.schemas.ChosenTask;
import dev.oomsim.schemas.OomCall;
import dev.oomsim.schemas.OutcomeKind;
import dev.oomsim.schemas.ProgressEvent;

/**
 * The one mapper between the kernel's event results and the {@code progress} topic's {@link ProgressEvent}s
 * (Avro classes never cross into the kernel). Lossless: {@code toResult(toProgress(r))} equals {@code r}, so a
 * distributed run can print exactly what the in-process run prints.
 */
public final class OutcomeMapper {

    private OutcomeMapper() {
    }

    /**
     * The progress event reporting {@code result} of request {@code requestId}, reported by {@code node};
     * {@code pid} is the requester of an alloc or may_oom (the other results name their own pid).
     */
    public static ProgressEvent toProgress(String requestId, int node, int pid, EventResult outcome) {
        List<String> reaperLog = List.of();
        EventResult result = outcome;
        if (outcome instanceof EventResult.Reaped reaped) {
            reaperLog = reaped.oomReaperLog();
            result = reaped.result();
        }
        // Every field with a schema default is set here to that default, and a branch below may override it: a field
        // left unset makes build() look its default up, a schema hash over the nested records on every call.
        ProgressEvent.Builder b = ProgressEvent.newBuilder()
                .setRequestId(requestId)
                .setNode(node)
                .setPid(pid)
                .setSequence((long) result.event())
                .setKind(kindOf(result.kind()))
                .setPage(null)
                .setDidSomeProgress(null)
                .setMayOomCalls(0)
                .setReclaimPasses(0)
                .setOomCalls(List.of())
                .setLog(List.of())
                .setCharged(null)
                .setOomScore(null)
                .setPanic(null)
                .setPath(List.of())
                .setStallMs(0L)
                .setOomReaperLog(reaperLog);
        if (result instanceof EventResult.Alloc a) {
            b.setPage(a.page() == null ? null : toAvro(a.page()))
                    .setDidSomeProgress(a.didSomeProgress())
                    .setMayOomCalls(a.mayOomCalls())
                    .setReclaimPasses(a.reclaimPasses())
                    .setOomCalls(toAvro(a.oomCalls()))
                    .setPanic(a.panic())
                    .setLog(a.log())
                    .setPath(a.path());
        } else if (result instanceof EventResult.OomScore s) {
            b.setPid(s.pid()).setOomScore(s.oomScore());
        } else if (result instanceof EventResult.Charge c) {
            b.setPid(c.pid()).setCharged(c.charged()).setOomCalls(toAvro(c.oomCalls())).setPanic(c.panic())
                    .setLog(c.log());
        } else if (result instanceof EventResult.Simple s) {
            b.setPid(s.pid());
        }
        return b.build();
    }

    /** The kernel's result back from a progress event. */
    public static EventResult toResult(ProgressEvent p) {
        EventResult own = ownResult(p);
        return p.getOomReaperLog().isEmpty() ? own : new EventResult.Reaped(own, p.getOomReaperLog());
    }

    private static EventResult ownResult(ProgressEvent p) {
        int event = p.getSequence() == null ? -1 : (int) (long) p.getSequence();
        return switch (p.getKind()) {
            case ALLOC, MAY_OOM -> new EventResult.Alloc(event, kindName(p.getKind()),
                    p.getPage() == null ? null : toKernel(p.getPage()), p.getDidSomeProgress(), p.getMayOomCalls(),
                    p.getReclaimPasses(), toKernel(p.getOomCalls()), p.getPanic(), p.getLog(), p.getPath());
            case OOM_SCORE -> new EventResult.OomScore(event, p.getPid(), p.getOomScore());
            case CHARGE -> new EventResult.Charge(event, p.getPid(), Boolean.TRUE.equals(p.getCharged()),
                    toKernel(p.getOomCalls()), p.getPanic(), p.getLog());
            case FREE, EXIT, SET -> new EventResult.Simple(event, kindName(p.getKind()), p.getPid());
        };
    }

    static OutcomeKind kindOf(String kind) {
        return switch (kind) {
            case "alloc" -> OutcomeKind.ALLOC;
            case "may_oom" -> OutcomeKind.MAY_OOM;
            case "free" -> OutcomeKind.FREE;
            case "exit" -> OutcomeKind.EXIT;
            case "set" -> OutcomeKind.SET;
            case "charge" -> OutcomeKind.CHARGE;
            case "oom_score" -> OutcomeKind.OOM_SCORE;
            default -> throw new IllegalArgumentException("no outcome kind for event kind '" + kind + "'");
        };
    }

    static String kindName(OutcomeKind kind) {
        return switch (kind) {
            case ALLOC -> "alloc";
            case MAY_OOM -> "may_oom";
            case FREE -> "free";
            case EXIT -> "exit";
            case SET -> "set";
            case CHARGE -> "charge";
            case OOM_SCORE -> "oom_score";
        };
    }

    /** A kernel page as the wire's ({@code Page} is the one name both sides spell alike and this class spells out). */
    static dev.oomsim.schemas.Page toAvro(Page page) {
        return dev.oomsim.schemas.Page.newBuilder().setNode(page.nodeId()).setZone(SameNamed.as(page.zone()))
                .setPfn(page.pfn()).setOrder(page.order()).build();
    }

    /** A page from the wire as the kernel's (null for null). */
    static Page toKernel(dev.oomsim.schemas.Page page) {
        return page == null ? null
                : new Page(page.getNode(), SameNamed.as(page.getZone()), page.getPfn(), page.getOrder());
    }

    static List<OomCall> toAvro(List<OomOutcome> calls) {
        List<OomCall> out = new ArrayList<>(calls.size());
        for (OomOutcome o : calls) {
            Chosen c = o.chosen();
            out.add(OomCall.newBuilder()
                    .setConstraint(SameNamed.as(o.constraint()))
                    .setTotalpages(o.totalpages())
                    .setChosen(c == null ? null : ChosenTask.newBuilder().setPid(c.pid()).setComm(c.comm())
                            .setPoints(c.points()).setUnsignedPoints(c.unsignedPoints()).setScore(c.score()).build())
                    .setKilled(o.killed())
                    .setSignalled(o.signalled())
                    .setAborted(o.aborted())
                    .setReturned(o.returned())
                    .setPanic(o.panic())
                    .build());
        }
        return out;
    }

    static List<OomOutcome> toKernel(List<OomCall> calls) {
        List<OomOutcome> out = new ArrayList<>(calls.size());
        for (OomCall o : calls) {
            ChosenTask c = o.getChosen();
            out.add(new OomOutcome(SameNamed.as(o.getConstraint()),
                    o.getTotalpages(),
                    c == null ? null
                    : new Chosen(c.getPid(), c.getComm(), c.getPoints(), c.getScore(), c.getUnsignedPoints()),
                    o.getKilled(), o.getSignalled(), o.getAborted(), o.getReturned(), o.getPanic()));
        }
        return out;
    }
}
