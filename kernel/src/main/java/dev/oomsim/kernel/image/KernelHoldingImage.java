package dev.oomsim.kernel.image;

import java.util.List;

import dev.oomsim.kernel.mm.Page;

/**
 * The blocks a task without an mm (a kernel thread's allocations) holds on one node, in the order it got them (the
 * order {@code do_exit} frees them).
 */
public record KernelHoldingImage(int pid, List<Page> pages) {

    /** Copies the pages. */
    public KernelHoldingImage {
        if (pid <= 0 || pages == null) {
            throw new IllegalArgumentException("kernel holding: pid must be > 0 and pages set, got pid " + pid);
        }
        pages = List.copyOf(pages);
    }
}
