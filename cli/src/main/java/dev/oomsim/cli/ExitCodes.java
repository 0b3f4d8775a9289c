package dev.oomsim.cli;

/** Exit codes of the {@code oomsim} command, the same for every subcommand. */
final class ExitCodes {
    /** Success. */
    static final int OK = 0;
    /**
     * A runtime failure the user can fix (a broker that cannot be reached, a directory that cannot be written): the
     * message names what to fix.
     */
    static final int RUNTIME_FAILURE = 1;
    /** Bad usage: an unknown option, a missing argument, an invalid scenario or workload file. */
    static final int USAGE = 2;
    /** The scenario (or another input file) is invalid: the message names the field path. Same as {@link #USAGE}. */
    static final int BAD_INPUT = USAGE;
    /** Stopped by Ctrl-C (128 + SIGINT), after a clean shutdown. */
    static final int INTERRUPTED = 130;
    /** A bug: an unexpected exception. */
    static final int SOFTWARE = 70;

    private ExitCodes() {
    }
}
