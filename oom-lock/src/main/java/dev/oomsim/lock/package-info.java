/**
 * The cluster-wide {@code oom_lock}: a trylock over a compacted Kafka topic (docs/lock-protocol.md).
 * It knows Kafka and nothing of the kernel; the node agent plugs it into the kernel's {@code OomLock}.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * CompactedTopicLock lock = CompactedTopicLock.builder(LockConfig.defaults("oomsim.oom-lock", "node-3"),
 *         Map.of("bootstrap.servers", servers)).meterRegistry(registry).start();
 * FencingCheck kills = lock.fencingCheck();           // fed by the fold's acquisitions as it tails
 *
 * Optional<LockGrant> grant = lock.tryLock();         // never waits for the holder
 * if (grant.isEmpty()) { retry after lock.retryAfterNanos() }
 * else { act while grant.isValidAt(System.nanoTime()); put grant.token() in the KillEvent; lock.unlock(grant); }
 *
 * kills.accept(event.token())                         // Accepted, or Rejected(reason "stale fencing token")
 * }</pre>
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link dev.oomsim.lock.CompactedTopicLog}: generic "read a one-partition compacted topic to its end, tail it,
 *       tell writers when the reader passed offset O" (after Connect's KafkaBasedLog).</li>
 *   <li>{@link dev.oomsim.lock.LockState}: the pure fold (claims per {@code <lock>/<contender>/<incarnation>} key,
 *       rank = offset, deadline = LogAppendTime + lease, holder = lowest live rank, token = holder's rank).</li>
 *   <li>{@link dev.oomsim.lock.CompactedTopicLock}: test-before-claim, claim, decide at O, withdraw at once,
 *       jittered back-off, at most one tryLock in flight, withdraw after a failed send, restart handling, the
 *       grant's expiry by the holder's own monotonic clock.</li>
 *   <li>{@link dev.oomsim.lock.LockTopic}: the topic's required settings; the lock refuses a topic that breaks
 *       them.</li>
 *   <li>{@link dev.oomsim.lock.FencingCheck}: rejects kills whose token is below the newest acquisition seen.</li>
 * </ul>
 */
package dev.oomsim.lock;
