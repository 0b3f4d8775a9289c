package dev.oomsim.cli;

/**
 * A runtime failure of a subcommand the user can act on: the message says what went wrong and what to fix (exit
 * {@link ExitCodes#RUNTIME_FAILURE}).
 */
final class CommandFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CommandFailure(String message) {
        super(message);
    }

    CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
