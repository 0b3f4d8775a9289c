package dev.oomsim.stack.trace;

/** A trace line that is neither a header nor an allocation or free: reported with its number, never skipped. */
public record Unparsable(long line, String reason, String text) {
    @Override
    public String toString() {
        return "line " + line + ": " + reason + ": " + text;
    }
}
