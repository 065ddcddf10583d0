package dev.herald.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.preferences.DigestRule;
import dev.herald.types.TypeDefinition;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What one create stores for one recipient: whether it goes live, the title and message (rendered
 * from a template in the recipient's locale, or the request's own), the explanation of every
 * channel's decision (stored as JSON with the row; {@link Throttling} adds to it before the insert),
 * and the email, push and webhook jobs to queue with it.
 *
 * <p>Threads: built and changed on one event loop by one create, then only read.
 */
record RecipientPlan(boolean live, String title, String message, ObjectNode explain, List<Job> jobs) {
  RecipientPlan {
    jobs = List.copyOf(jobs);
  }

  /** The explanation as stored (null for none). */
  String explainJson() {
    return explain == null ? null : explain.toString();
  }

  /**
   * An email, push or webhook delivery: {@code state} {@code pending} from {@code runAt}, or
   * {@code held} until then, or {@code skipped} for a {@code reason} ({@code digested}: it joins
   * {@code digest}; {@code throttled}); {@code condition} {@code unread} when it runs only if the
   * notification is still unread then (else null); {@code event} the webhook event, null for email
   * and push. A webhook job stands for one job per subscribed endpoint of the tenant, a push job for
   * one per subscription of the recipient, expanded by the insert ({@link JobRows}),
   * which gives those their own ids. {@code recordUnreached}: a push due now to a recipient without
   * a subscription is kept as {@code skipped: no-subscription} (a type or {@code deliverVia} asked
   * for push) or not written at all (seed 000's default for a type nobody defined: a row per
   * notification for the many users who never subscribed would say nothing). {@code throttle}: the
   * type's limit this job counts against ({@link Throttling}), whose overflow goes to {@code digest}
   * (null: skipped).
   */
  record Job(UUID id, String deliveryChannel, String state, Instant runAt, String locale, String condition,
      String event, boolean recordUnreached, String reason, Digest digest, TypeDefinition.Throttle throttle) {
    /** A job without digest or throttle. */
    Job(UUID id, String deliveryChannel, String state, Instant runAt, String locale, String condition, String event,
        boolean recordUnreached) {
      this(id, deliveryChannel, state, runAt, locale, condition, event, recordUnreached, null, null, null);
    }

    /** A job recorded even when its recipient cannot be reached (push: no subscription). */
    Job(UUID id, String deliveryChannel, String state, Instant runAt, String locale, String condition, String event) {
      this(id, deliveryChannel, state, runAt, locale, condition, event, true);
    }

    /** Whether it joins its digest now ({@code skipped: digested}). */
    boolean digested() {
      return "digested".equals(reason);
    }

    /** This job beyond its throttle: into its digest, else {@code skipped: throttled}. */
    Job overThrottle() {
      return digest != null
          ? new Job(id, deliveryChannel, "skipped", runAt, locale, null, null, recordUnreached, "digested", digest, null)
          : new Job(id, deliveryChannel, "skipped", runAt, locale, null, null, recordUnreached, "throttled", null, null);
    }
  }

  /**
   * The digest a job joins (or would open): its rule, and its send job's state and time should it
   * open one: {@code pending} at the rule's due time, or {@code held} past it until the recipient's
   * quiet hours end.
   */
  record Digest(DigestRule rule, String sendState, Instant sendAt) {}

  /** The plan of a create without preferences or templates in play: literal texts, live. */
  static RecipientPlan literal(NotificationRequest r) {
    return new RecipientPlan(true, r.title(), r.message(), null, List.of());
  }
}
