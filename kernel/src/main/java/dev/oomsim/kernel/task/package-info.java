/** Tasks, their shared mm counters and page holdings, cpusets, mempolicies and memcgs. */
package dev.oomsim.kernel.task;
