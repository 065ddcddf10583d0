package dev.herald.delivery.email;

import dev.herald.templates.Template;
import dev.herald.templates.Templates;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The {@code email} template of a notification type, faked in tests.
 *
 * <p>Threads: called on delivery virtual threads; implementations may block and are thread-safe.
 */
interface EmailTemplates {
  /**
   * The template named {@code type} for the email channel (or its {@code default} one) in
   * {@code locale} or its fallbacks, the tenant's before the system's; null when there is none.
   */
  Template pick(String tenant, String type, String locale) throws Exception;

  /** Templates from {@code templates} (cached per node), waiting at most {@code timeout} for a load. */
  static EmailTemplates of(Templates templates, Duration timeout) {
    return (tenant, type, locale) -> templates.set(tenant, type).toCompletionStage().toCompletableFuture()
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).pick("email", locale);
  }
}
