/** The kernel version the model reproduces: seed (v4.4) or modern (v6.1). */
package dev.oomsim.kernel.profile;
