package dev.herald.delivery;

/**
 * One way out of Herald beyond the tab: email, Web Push, webhooks. The {@link DeliveryEngine} claims
 * a job, checks what every channel shares (the notification still exists, still unread when the
 * type asked for that, the target's breaker closed, a free slot for the target), calls
 * {@link #attempt} on a virtual thread, and records what it returns: the job's state, the delivery
 * log row, retries with backoff, the dead letter, {@code deliveredVia} and the user's
 * {@code notificationStatus}. A channel only turns a job into a message and sends it.
 *
 * <p>Threads: {@link #attempt} runs on a virtual thread and may block up to the channel's own
 * timeout; many run at once, for different jobs. Implementations are thread-safe.
 */
public interface DeliveryChannel {
  /** The channel as stored and shown: {@code email}, {@code push} or {@code webhook}. */
  String name();

  /**
   * The receiver {@code job} goes to, as the key of its isolation: jobs of one key share a bounded
   * number of concurrent attempts and one circuit breaker (an SMTP server, a webhook endpoint, a
   * push service's origin). Cheap, no I/O.
   */
  String targetKey(DeliveryJob job);

  /**
   * How many attempts of this channel may run at once against one receiver, given the node's
   * per-receiver setting ({@code HERALD_DELIVERY_TARGET_CONCURRENCY}) and its whole concurrency
   * ({@code HERALD_DELIVERY_CONCURRENCY}): the setting, unless one receiver carries all of the
   * channel's traffic by nature.
   */
  default int slotsPerTarget(int perTarget, int concurrency) {
    return perTarget;
  }

  /**
   * Sends {@code job} once. A receiver's refusal or a timeout is an {@link Outcome}, not an
   * exception; an exception is a bug or an outage of Herald's own (the engine retries it like
   * {@link Outcome.Retry}).
   */
  Outcome attempt(DeliveryJob job) throws Exception;
}
