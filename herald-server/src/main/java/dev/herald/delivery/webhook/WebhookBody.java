package dev.herald.delivery.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.delivery.DeliveryJob;
import dev.herald.store.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The body of a webhook message, Standard Webhooks' recommended envelope {@code {type, timestamp,
 * data}}: {@code type} the event, {@code timestamp} when it was sent (ISO-8601), {@code data} the
 * job's own payload when it has one, else the notification as clients see it plus {@code userId}.
 *
 * <p>Threads: any; stateless.
 */
final class WebhookBody {
  private static final ObjectMapper JSON = new ObjectMapper();

  private WebhookBody() {}

  /** The body of {@code job} sent at {@code now}, as UTF-8 JSON. */
  static byte[] of(DeliveryJob job, Instant now) {
    ObjectNode body = JsonNodeFactory.instance.objectNode()
        .put("type", job.event())
        .put("timestamp", Timestamps.iso(OffsetDateTime.ofInstant(now, ZoneOffset.UTC)));
    if (job.payload() != null) {
      body.set("data", parse(job.payload()));
    } else if (job.notification() != null) {
      body.set("data", notification(job.notification(), job.recipient()));
    } else {
      body.putNull("data");
    }
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The notification as clients see it ({@code dev.herald.notify.Notification#toJson}'s fields a
   * receiver needs): {@code {id, type, title, message, channel, priority, status, timestamp, createdAt,
   * readAt, data, requiresAck, actionUrl, deliveredVia, userId}}.
   */
  static ObjectNode notification(DeliveryJob.Notification n, String userId) {
    ObjectNode o = JsonNodeFactory.instance.objectNode()
        .put("id", n.id().toString())
        .put("type", n.type())
        .put("title", n.title())
        .put("message", n.message())
        .put("channel", n.channel())
        .put("priority", n.priority())
        .put("status", n.status())
        .put("timestamp", Timestamps.iso(n.createdAt()))
        .put("createdAt", Timestamps.iso(n.createdAt()))
        .put("readAt", Timestamps.iso(n.readAt()));
    o.set("data", n.data() == null ? JsonNodeFactory.instance.nullNode() : parse(n.data()));
    o.put("requiresAck", n.requiresAck()).put("actionUrl", n.actionUrl());
    ArrayNode via = o.putArray("deliveredVia");
    if (n.deliveredVia() != null) {
      n.deliveredVia().forEach(via::add);
    }
    return o.put("userId", userId);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      // stored by Herald as json: unreadable text is a defect, not a receiver's problem
      throw new IllegalStateException("stored JSON does not parse: " + e.getOriginalMessage(), e);
    }
  }
}
