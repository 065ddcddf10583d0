package dev.herald.notify;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What one create stores for one recipient: whether it goes live, the title and message (rendered
 * from a template in the recipient's locale, or the request's own), the explanation of every
 * channel's decision as JSON text, and the email, push and webhook jobs to queue with it.
 */
record RecipientPlan(boolean live, String title, String message, String explain, List<Job> jobs) {
  RecipientPlan {
    jobs = List.copyOf(jobs);
  }

  /**
   * An email, push or webhook delivery: {@code state} {@code pending} from {@code runAt}, or
   * {@code held} until then; {@code condition} {@code unread} when it runs only if the notification
   * is still unread then (else null); {@code event} the webhook event, null for email and push. A
   * webhook job stands for one job per subscribed endpoint of the tenant, a push job for one per
   * subscription of the recipient, expanded by the insert ({@link NotificationInserts.Jobs}), which
   * gives those their own ids. {@code recordUnreached}: a push due now to a recipient without a
   * subscription is kept as {@code skipped: no-subscription} (a type or {@code deliverVia} asked for
   * push) or not written at all (seed 000's default for a type nobody defined: a row per
   * notification for the many users who never subscribed would say nothing).
   */
  record Job(UUID id, String deliveryChannel, String state, Instant runAt, String locale, String condition,
      String event, boolean recordUnreached) {
    /** A job recorded even when its recipient cannot be reached (push: no subscription). */
    Job(UUID id, String deliveryChannel, String state, Instant runAt, String locale, String condition, String event) {
      this(id, deliveryChannel, state, runAt, locale, condition, event, true);
    }
  }

  /** The plan of a create without preferences or templates in play: literal texts, live. */
  static RecipientPlan literal(NotificationRequest r) {
    return new RecipientPlan(true, r.title(), r.message(), null, List.of());
  }
}
