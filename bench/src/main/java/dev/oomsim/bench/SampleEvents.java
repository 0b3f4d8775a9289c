package dev.oomsim.bench;

import java.util.List;

import dev.oomsim.schemas.AllocOp;
import dev.oomsim.schemas.AllocRequest;
import dev.oomsim.schemas.KillCandidate;
import dev.oomsim.schemas.KillEvent;
import dev.oomsim.schemas.NodeCommand;
import dev.oomsim.schemas.NodeRss;
import dev.oomsim.schemas.OomConstraint;
import dev.oomsim.schemas.Profile;

/** Typical events, the same in every run, for the serde and produce benchmarks. */
public final class SampleEvents {

    /** GFP_KERNEL of Linux v4.4: __GFP_RECLAIM | __GFP_IO | __GFP_FS. */
    public static final long GFP_KERNEL = 0x24000c0L;

    private SampleEvents() {
    }

    /** An order-0 GFP_KERNEL allocation by pid 4242 on node 1, request number {@code seq}. */
    public static AllocRequest allocRequest(long seq) {
        return AllocRequest.newBuilder()
                .setRequestId("req-" + seq)
                .setOp(AllocOp.ALLOC)
                .setPid(4242)
                .setGfpMask(GFP_KERNEL)
                .setOrder(0)
                .setPreferredNode(1)
                .setNodemask(null)
                .setPfn(null)
                .setTaskFlags(List.of())
                .setSequence(seq)
                .build();
    }

    /**
     * {@link #allocRequest(long)} as a load generator writes it to {@code alloc-requests}: a command from outside the
     * cluster.
     */
    public static NodeCommand nodeCommand(long seq) {
        return NodeCommand.newBuilder()
                .setCommandId("cmd-" + seq)
                .setOrigin(-1)
                .setTaskEventsOffset(0)
                .setBody(allocRequest(seq))
                .build();
    }

    /** A kill of a 3 GiB java process on a two-node machine, with its top candidates and the kernel's log lines. */
    public static KillEvent killEvent() {
        return KillEvent.newBuilder()
                .setRequestId("req-918273")
                .setVictimPid(4242)
                .setVictimComm("java")
                .setVictimUid(1000)
                .setChosenPid(4242)
                .setPoints(786_432)
                .setScore(912)
                .setTotalpages(8_388_608)
                .setConstraint(OomConstraint.CONSTRAINT_NONE)
                .setNodemask(null)
                .setVictimRss(List.of(
                        NodeRss.newBuilder().setNode(0).setAnonPages(393_216).setFilePages(1_024).build(),
                        NodeRss.newBuilder().setNode(1).setAnonPages(392_192).setFilePages(0).build()))
                .setGfpMask(GFP_KERNEL)
                .setOrder(0)
                .setInvokingNode(1)
                .setInvokingPid(5151)
                .setInvokingComm("stress")
                .setLockToken(17)
                .setProfile(Profile.SEED)
                .setSignalled(List.of())
                .setCandidates(List.of(
                        KillCandidate.newBuilder().setPid(4242).setComm("java").setPoints(786_432).build(),
                        KillCandidate.newBuilder().setPid(5151).setComm("stress").setPoints(262_144).build(),
                        KillCandidate.newBuilder().setPid(777).setComm("postgres").setPoints(65_536).build()))
                .setLog(List.of(
                        "stress invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0",
                        "Out of memory: Kill process 4242 (java) score 912 or sacrifice child",
                        "Killed process 4242 (java) total-vm:4194304kB, anon-rss:3141632kB, file-rss:4096kB"))
                .build();
    }
}
