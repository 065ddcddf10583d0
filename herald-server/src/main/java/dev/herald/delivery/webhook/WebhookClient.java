package dev.herald.delivery.webhook;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The one HTTP call of a webhook: POST a body to a receiver and read its answer. {@link
 * JdkWebhookClient} is the real one; tests fake it.
 *
 * <p>Threads: {@link #post} blocks (on a virtual thread) up to {@code timeout}; implementations are
 * thread-safe.
 */
public interface WebhookClient {
  /**
   * The receiver's answer: its status, the start of its body, and its {@code Retry-After} header
   * (null when it sent none).
   */
  record Answer(int status, String body, String retryAfter) {}

  /**
   * POSTs {@code body} with {@code headers} to {@code url}, waiting at most {@code timeout} for the
   * answer. A receiver that cannot be reached or does not answer in time is an {@link IOException}
   * ({@link java.net.http.HttpTimeoutException} for the timeout).
   */
  Answer post(URI url, Map<String, String> headers, byte[] body, Duration timeout)
      throws IOException, InterruptedException;
}
