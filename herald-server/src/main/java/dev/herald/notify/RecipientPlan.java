package dev.herald.notify;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What one create stores for one recipient: whether it goes live, the title and message (rendered
 * from a template in the recipient's locale, or the request's own), the explanation of every
 * channel's decision as JSON text, and the email and push jobs to queue with it.
 */
record RecipientPlan(boolean live, String title, String message, String explain, List<Job> jobs) {
  RecipientPlan {
    jobs = List.copyOf(jobs);
  }

  /** An email or push delivery: {@code state} {@code pending} from {@code runAt}, or {@code held} until then. */
  record Job(UUID id, String deliveryChannel, String state, Instant runAt, String locale) {}

  /** The plan of a create without preferences or templates in play: literal texts, live. */
  static RecipientPlan literal(NotificationRequest r) {
    return new RecipientPlan(true, r.title(), r.message(), null, List.of());
  }
}
