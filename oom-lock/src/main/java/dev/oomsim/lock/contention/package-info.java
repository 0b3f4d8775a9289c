/**
 * The lock's contention driver: contender loops that call {@code tryLock} against a shared budget and record every
 * grant's interval, latency samples, and the broker's own produce→consume round trip to compare them with. The lock's
 * safety and contention ITs judge mutual exclusion from these recorded histories; the {@code bench} module's lock
 * benchmark runs the same contenders for its rows.
 */
package dev.oomsim.lock.contention;
