package dev.oomsim.kernel.task;

import dev.oomsim.kernel.mm.NodeMask;

/** Mirrors {@code struct mempolicy}: mode, preferred node (PREFERRED) and node set (BIND, INTERLEAVE). */
public record Mempolicy(Mode mode, int preferredNode, NodeMask nodes) {

    /** Mirrors the {@code MPOL_*} modes. */
    public enum Mode { DEFAULT, PREFERRED, BIND, INTERLEAVE }

    /** The default (local) policy. */
    public static final Mempolicy DEFAULT = new Mempolicy(Mode.DEFAULT, -1, NodeMask.EMPTY);

    /** Validates the fields against the mode. */
    public Mempolicy {
        if (mode == null) {
            throw new IllegalArgumentException("mempolicy mode: must be set");
        }
        if (mode == Mode.PREFERRED && preferredNode < 0) {
            throw new IllegalArgumentException("mempolicy preferred node: must be >= 0, got " + preferredNode);
        }
        if ((mode == Mode.BIND || mode == Mode.INTERLEAVE) && (nodes == null || nodes.isEmpty())) {
            throw new IllegalArgumentException("mempolicy nodes: must not be empty for " + mode);
        }
    }

    /**
     * Parses {@code default}, {@code preferred:N}, {@code bind:[..]} or {@code interleave:[..]} (also {@code
     * bind:0,1}).
     */
    public static Mempolicy parse(String text) {
        String s = text.trim();
        if (s.equals("default")) {
            return DEFAULT;
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("mempolicy: expected default, preferred:N, bind:[..] or "
                    + "interleave:[..], got "
                    + text);
        }
        String mode = s.substring(0, colon);
        String arg = s.substring(colon + 1).trim();
        if (mode.equals("preferred")) {
            return new Mempolicy(Mode.PREFERRED, Integer.parseInt(arg), NodeMask.EMPTY);
        }
        if (arg.startsWith("[") && arg.endsWith("]")) {
            arg = arg.substring(1, arg.length() - 1);
        }
        java.util.List<Integer> nodes = new java.util.ArrayList<>();
        for (String part : arg.split(",")) {
            if (!part.isBlank()) {
                nodes.add(Integer.parseInt(part.trim()));
            }
        }
        return switch (mode) {
            case "bind" -> new Mempolicy(Mode.BIND, -1, NodeMask.of(nodes));
            case "interleave" -> new Mempolicy(Mode.INTERLEAVE, -1, NodeMask.of(nodes));
            default -> throw new IllegalArgumentException("mempolicy: unknown mode " + mode);
        };
    }
}
