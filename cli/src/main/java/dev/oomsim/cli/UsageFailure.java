package dev.oomsim.cli;

/** Bad usage found after parsing (two options that do not go together, a value out of range): exit 2. */
final class UsageFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageFailure(String message) {
        super(message);
    }
}
