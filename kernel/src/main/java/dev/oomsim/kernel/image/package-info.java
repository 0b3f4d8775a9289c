/**
 * Restorable images of the model's mutable state, taken between events: immutable records a node agent stores as a
 * snapshot, so that after a crash it boots the machine file, restores the newest image and replays only the commands
 * that follow it. {@link dev.oomsim.kernel.image.MachineImage} is the whole; each record names the kernel structure
 * it mirrors. Capture and restore live with the state they copy ({@code ScenarioRunner.captureImage},
 * {@code NodeMemory.captureImage}, {@code Zone}, {@code Task}, {@code Mm}, ...): this package only describes it.
 */
package dev.oomsim.kernel.image;
