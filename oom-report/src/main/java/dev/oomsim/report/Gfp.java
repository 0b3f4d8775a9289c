package dev.oomsim.report;

import java.util.ArrayList;
import java.util.List;

import dev.oomsim.kernel.mm.Arch;
import dev.oomsim.kernel.mm.GfpFlags;
import dev.oomsim.kernel.profile.Profile;

/**
 * A report's gfp mask in the model's terms. Bit values moved between kernel versions (v4.4, v4.10, v4.13, v5.x),
 * so the decoded names are used when the header prints them; a bare hex mask keeps only the bits every version
 * agrees on (the zone modifiers 0x01–0x08, {@code __GFP_IO} 0x40, {@code __GFP_FS} 0x80) plus reclaim.
 */
final class Gfp {
    private Gfp() {
    }

    /**
     * The gfp text for the scenario's event under {@code profile} on {@code arch}; {@code notes} learns what was
     * dropped. A decoded name the profile does not know is dropped, except {@code GFP_KERNEL_ACCOUNT}, which the
     * seed (v4.4, no {@code __GFP_ACCOUNT}) reads as {@code GFP_KERNEL}: the accounting bit only charges a memcg.
     */
    static String toModel(ParsedReport.Header h, String profile, String arch, List<String> notes) {
        Profile p = Profile.parse(profile);
        Arch a = Arch.parse(arch);
        if (h.gfpDecoded() != null && !h.gfpDecoded().isBlank()) {
            List<String> kept = new ArrayList<>();
            List<String> dropped = new ArrayList<>();
            for (String part : h.gfpDecoded().split("\\|")) {
                String name = part.trim();
                if (knows(name, p, a)) {
                    kept.add(name);
                } else if (name.equals("GFP_KERNEL_ACCOUNT") && knows("GFP_KERNEL", p, a)) {
                    kept.add("GFP_KERNEL");
                    notes.add("gfp: profile " + profile
                            + " has no __GFP_ACCOUNT; GFP_KERNEL_ACCOUNT read as GFP_KERNEL");
                } else {
                    dropped.add(name);
                }
            }
            if (!dropped.isEmpty()) {
                notes.add("gfp: the model has no " + String.join(", ", dropped) + "; dropped from the request");
            }
            if (!kept.isEmpty()) {
                return String.join("|", kept);
            }
        }
        long stable = h.gfpMask() & 0xcf;
        long mask = stable | 0x2400000L; // __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM: the allocation reclaimed
        if ((h.gfpMask() & 0x20000) != 0 && h.gfpMask() < 0x400000) {
            mask |= 0x20000; // __GFP_HARDWALL where it still was 0x20000 (v3.x – v4.9)
        }
        notes.add(String.format("gfp: 0x%x has no decoded names; kept the version-stable bits as model gfp 0x%x",
                h.gfpMask(), mask));
        return String.format("0x%x", mask);
    }

    private static boolean knows(String name, Profile p, Arch a) {
        if (!name.startsWith("GFP_") && !name.startsWith("__GFP_")) {
            return false; // a raw bit the decoder printed as 0x…
        }
        try {
            GfpFlags.parse(name, p, a);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
