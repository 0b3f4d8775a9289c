/**
 * The pure model of the Linux page allocator and OOM killer (docs/kernel-model.md): only {@code java.*},
 * no I/O, no wall clock, no unseeded randomness.
 */
package dev.oomsim.kernel;
