/**
 * Real kernel OOM reports in: parsed into typed parts ({@link dev.oomsim.report.ParsedReport}), the decision rebuilt
 * on the kernel model ({@link dev.oomsim.report.Rebuild}), checked against the kernel's own victim and score and
 * explained ({@link dev.oomsim.report.Explanation}). Pure like the kernel: no I/O, no clock.
 */
package dev.oomsim.report;
