package dev.herald.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a failed attempt runs again: after the configured delays in turn (seed 003: 1 s, 5 s, 30 s,
 * 5 min; {@code HERALD_DELIVERY_RETRY_DELAYS}), each spread by ±20 % so that jobs failed together do
 * not come back together; after the last delay the next failure is final (the dead letter). A
 * receiver's {@code Retry-After} replaces the delay when it asks for longer, up to a day.
 *
 * <p>Immutable and thread-safe.
 */
final class RetryPolicy {
  static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);
  private static final double JITTER = 0.2;

  private final List<Duration> delays;
  /** Uniform in [0, 1); tests fix it. */
  private final DoubleSupplier random;

  RetryPolicy(List<Duration> delays, DoubleSupplier random) {
    if (delays.isEmpty()) {
      throw new IllegalArgumentException("at least one retry delay is needed");
    }
    this.delays = List.copyOf(delays);
    this.random = random;
  }

  /** Attempts a job gets in all: the first and one after each delay. */
  int maxAttempts() {
    return delays.size() + 1;
  }

  /**
   * The wait before the attempt after attempt number {@code attempt} (1-based) failed, or empty when
   * that was the last one. {@code retryAfter} is what the receiver asked for (null: nothing).
   */
  Optional<Duration> after(int attempt, Duration retryAfter) {
    if (attempt >= maxAttempts()) {
      return Optional.empty();
    }
    Duration base = delays.get(Math.max(0, attempt - 1));
    long millis = Math.round(base.toMillis() * (1 - JITTER + 2 * JITTER * random.getAsDouble()));
    Duration delay = Duration.ofMillis(Math.max(1, millis));
    if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
      delay = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
    }
    return Optional.of(delay);
  }
}
