/**
 * The OOM killer of mm/oom_kill.c: {@code out_of_memory}, constraints, badness, victim selection, the kill, the
 * memcg OOM, {@code /proc/PID/oom_score}, the report formats, rate limits and the {@code oom_lock} interface.
 */
package dev.oomsim.kernel.oom;
