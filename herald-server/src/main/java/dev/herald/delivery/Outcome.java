package dev.herald.delivery;

import java.time.Duration;

/**
 * What one attempt of a {@link DeliveryChannel} came to. {@code target} is where it went, as
 * operators see it (an address, a URL; null when there was none).
 */
public sealed interface Outcome {
  String target();

  /** The receiver accepted it (SMTP 250, HTTP 2xx, a push service's 201): the job is delivered. */
  record Delivered(String target, String detail) implements Outcome {}

  /**
   * A failure that may pass (SMTP 4xx, HTTP 5xx or 429, a timeout, a refused connection): retried
   * after the next delay of the policy, or after {@code after} when the receiver said so
   * ({@code Retry-After}; null: the policy's). Counts against the target's breaker.
   */
  record Retry(String target, String error, Duration after) implements Outcome {}

  /** A failure that will not pass (SMTP 5xx, HTTP 410): the job fails at once, into the dead letter. */
  record Failed(String target, String error) implements Outcome {}

  /**
   * Nothing to send, by rule rather than failure: {@code reason} is one of the contract's
   * ({@code no-address}, {@code no-subscription}, {@code opted-out}, {@code no-transport}, …).
   */
  record Skipped(String target, String reason) implements Outcome {}
}
