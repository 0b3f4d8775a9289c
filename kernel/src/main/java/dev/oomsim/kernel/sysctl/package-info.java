/** The {@code vm.*} sysctls the model reads. */
package dev.oomsim.kernel.sysctl;
