package dev.oomsim.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A report's gfp mask in the model's terms. Bit values moved between kernel versions (v4.4, v4.10, v4.13, v5.x),
 * so the decoded names are used when the header prints them; a bare hex mask keeps only the bits every version
 * agrees on (the zone modifiers 0x01–0x08, {@code __GFP_IO} 0x40, {@code __GFP_FS} 0x80) plus reclaim.
 */
final class Gfp {
    /** Decoded names the model knows (docs/kernel-model.md's GfpFlags). */
    private static final Set<String> KNOWN = Set.of("GFP_KERNEL", "GFP_USER", "GFP_HIGHUSER", "GFP_HIGHUSER_MOVABLE",
            "GFP_NOFS", "GFP_NOIO", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_KERNEL_ACCOUNT", "GFP_TRANSHUGE",
            "GFP_TRANSHUGE_LIGHT", "GFP_DMA", "GFP_DMA32", "__GFP_DMA", "__GFP_HIGHMEM", "__GFP_DMA32", "__GFP_MOVABLE",
            "__GFP_RECLAIMABLE", "__GFP_HIGH", "__GFP_IO", "__GFP_FS", "__GFP_COLD", "__GFP_NOWARN", "__GFP_REPEAT",
            "__GFP_NOFAIL", "__GFP_NORETRY", "__GFP_MEMALLOC", "__GFP_COMP", "__GFP_ZERO", "__GFP_NOMEMALLOC",
            "__GFP_HARDWALL", "__GFP_THISNODE", "__GFP_ATOMIC", "__GFP_ACCOUNT", "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM", "__GFP_RETRY_MAYFAIL", "__GFP_RECLAIM", "__GFP_WRITE");

    private Gfp() {
    }

    /** The gfp text for the scenario's event; {@code notes} learns what was dropped. */
    static String toModel(ParsedReport.Header h, List<String> notes) {
        if (h.gfpDecoded() != null && !h.gfpDecoded().isBlank()) {
            List<String> kept = new ArrayList<>();
            List<String> dropped = new ArrayList<>();
            for (String name : h.gfpDecoded().split("\\|")) {
                (KNOWN.contains(name.trim()) ? kept : dropped).add(name.trim());
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
}
