package dev.herald.delivery.email;

import dev.herald.delivery.Outcome;

/**
 * Sends prepared messages: {@link SmtpMailer} over SMTP, a recording fake in tests.
 *
 * <p>Threads: {@link #send} is called on many virtual threads at once and may block up to the
 * mailer's own timeouts; implementations are thread-safe.
 */
interface Mailer extends AutoCloseable {
  /**
   * Sends {@code email} once and says what the server answered: {@link Outcome.Delivered} with its
   * reply, {@link Outcome.Retry} for a 4xx reply or a failure to reach it, {@link Outcome.Failed}
   * for a 5xx reply. The target of each is the recipient's address.
   */
  Outcome send(Email email);

  /** Closes every connection; sends after it fail. */
  @Override
  void close();
}
