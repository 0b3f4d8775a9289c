package dev.oomsim.kernel.oom;

/**
 * The task {@code select_bad_process} (or oom_kill_allocating_task) chose: its points and the reported score.
 * In the seed profile {@code points} is an unsigned long ({@code ULONG_MAX} for an oom_origin task reads as -1 here);
 * {@link #unsignedPoints()} says how to print it.
 */
public record Chosen(int pid, String comm, long points, long score, boolean unsignedPoints) {

    /** Validates the fields. */
    public Chosen {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid: must be > 0, got " + pid);
        }
        if (comm == null) {
            throw new IllegalArgumentException("comm: must be set");
        }
    }

    /** The points as a decimal string with the profile's signedness. */
    public String pointsText() {
        return unsignedPoints ? Long.toUnsignedString(points) : Long.toString(points);
    }
}
