package dev.herald.delivery;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * One claimed delivery job, with the notification it carries as it is now (null for a job of no
 * notification, a webhook test-send). {@code attempt} counts from 1 and includes this one.
 *
 * @param channel {@code email}, {@code push} or {@code webhook}
 * @param recipient the user id (null for webhook jobs of no recipient)
 * @param endpointId the webhook endpoint (webhook jobs only)
 * @param event the webhook event ({@code notification.created}, …; webhook jobs only)
 * @param payload a body of the job's own (test-sends), JSON text; null: built from the notification
 * @param locale the locale the recipient's texts render in ({@code ""}: the default)
 * @param contact the recipient's entry in the user directory, read with the claim
 * @param subscription the push subscription of a push job, read with the claim
 * @param digest the digest a digest's send job carries (null for the job of one notification)
 */
public record DeliveryJob(UUID id, String channel, String tenant, String recipient, UUID notificationId,
    UUID endpointId, String event, String payload, String locale, int attempt, OffsetDateTime createdAt,
    Notification notification, Contact contact, Subscription subscription, Digest digest) {

  /** A job of one notification (no digest). */
  public DeliveryJob(UUID id, String channel, String tenant, String recipient, UUID notificationId,
      UUID endpointId, String event, String payload, String locale, int attempt, OffsetDateTime createdAt,
      Notification notification, Contact contact, Subscription subscription) {
    this(id, channel, tenant, recipient, notificationId, endpointId, event, payload, locale, attempt, createdAt,
        notification, contact, subscription, null);
  }

  /** A job without the recipient's contact read (a channel that needs it looks it up). */
  public DeliveryJob(UUID id, String channel, String tenant, String recipient, UUID notificationId,
      UUID endpointId, String event, String payload, String locale, int attempt, OffsetDateTime createdAt,
      Notification notification) {
    this(id, channel, tenant, recipient, notificationId, endpointId, event, payload, locale, attempt, createdAt,
        notification, null, null);
  }

  /** A job with the recipient's contact and no push subscription. */
  public DeliveryJob(UUID id, String channel, String tenant, String recipient, UUID notificationId,
      UUID endpointId, String event, String payload, String locale, int attempt, OffsetDateTime createdAt,
      Notification notification, Contact contact) {
    this(id, channel, tenant, recipient, notificationId, endpointId, event, payload, locale, attempt, createdAt,
        notification, contact, null);
  }

  /**
   * A digest (V10) as its send job carries it: the notifications it gathered that are still unread
   * when it goes, oldest first, at most {@code maxItems} of them in {@code items}, and how many
   * there are in all ({@code total}); {@code template} the template name it renders from
   * ({@code <type>.digest}), null for the built-in layout. No items: all were read (the job ends
   * {@code skipped: read}).
   */
  public record Digest(UUID id, String key, List<Notification> items, int total, int maxItems, String template) {
    public Digest {
      items = List.copyOf(items);
    }

    /**
     * The variables its template renders with: {@code items} (each {@code id}, {@code title},
     * {@code message}, {@code type}, {@code actionUrl}, {@code createdAt}), {@code total},
     * {@code shown} and {@code more} (how many are not listed).
     */
    public java.util.Map<String, Object> variables() {
      List<java.util.Map<String, Object>> list = new java.util.ArrayList<>(items.size());
      for (Notification n : items) {
        java.util.Map<String, Object> item = new java.util.HashMap<>();
        item.put("id", n.id().toString());
        item.put("title", n.title());
        item.put("message", n.message());
        item.put("type", n.type());
        if (n.actionUrl() != null) {
          item.put("actionUrl", n.actionUrl());
        }
        if (n.createdAt() != null) {
          item.put("createdAt", n.createdAt().toInstant().toString());
        }
        list.add(item);
      }
      java.util.Map<String, Object> out = new java.util.HashMap<>();
      out.put("items", list);
      out.put("total", total);
      out.put("shown", items.size());
      out.put("more", total - items.size());
      return out;
    }

    /** The notification type of a {@code type:<type>} digest, else of its newest item (null for none). */
    public String type() {
      if (key.startsWith("type:")) {
        return key.substring("type:".length());
      }
      return items.isEmpty() ? null : items.get(items.size() - 1).type();
    }
  }

  /**
   * The push subscription a push job goes to, as stored when the job was claimed (V9): the push
   * service's {@code endpoint}, the browser's {@code p256dh} key and {@code auth} secret (base64url).
   * Null for other channels, and for a push job whose subscription was removed meanwhile.
   */
  public record Subscription(UUID id, String endpoint, String p256dh, String auth) {}

  /**
   * The recipient as the user directory knows them when the job was claimed: each field the
   * service's value, else the token claim's (null when neither). The record itself is absent (null
   * {@code contact}) when the claim did not read it; present with null fields when the directory
   * holds nothing of the user.
   */
  public record Contact(String email, String name, String locale) {}

  /**
   * The notification of a job, as stored when the job was claimed.
   *
   * @param data the notification's {@code data} as JSON text (null when it has none)
   * @param channel the notification channel ({@code orders}, …), not the delivery channel
   */
  public record Notification(UUID id, String type, String title, String message, String channel, String priority,
      String status, String data, String actionUrl, boolean requiresAck, OffsetDateTime createdAt,
      OffsetDateTime readAt, List<String> deliveredVia) {}
}
