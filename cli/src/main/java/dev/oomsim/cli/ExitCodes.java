package dev.oomsim.cli;

/** Exit codes of the {@code oomsim} command. */
final class ExitCodes {
    /** Success. */
    static final int OK = 0;
    /** The scenario (or another input file) is invalid: the message names the field path. */
    static final int BAD_INPUT = 2;
    /** A bug: an unexpected exception. */
    static final int SOFTWARE = 70;

    private ExitCodes() {
    }
}
