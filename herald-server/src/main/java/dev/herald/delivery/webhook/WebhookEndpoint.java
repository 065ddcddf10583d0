package dev.herald.delivery.webhook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.store.Timestamps;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One tenant's webhook endpoint, as stored.
 *
 * @param events the events it receives; null: every event, present and future
 * @param previousSecret the secret before the last rotation, still signing until {@code previousSecretUntil}
 * @param disabledReason why it was disabled (a receiver's 410, when), null while enabled
 */
public record WebhookEndpoint(UUID id, String tenant, String url, List<String> events, String description,
    String secret, String previousSecret, OffsetDateTime previousSecretUntil, boolean enabled, String disabledReason,
    OffsetDateTime createdAt, OffsetDateTime updatedAt) {

  /** The events of the contract (part 2, "Webhooks"); {@code webhook.test} is only ever sent by a test-send. */
  public static final Set<String> EVENTS = Set.of("notification.created", "notification.delivered",
      "notification.read", "notification.failed");

  public WebhookEndpoint {
    events = events == null ? null : List.copyOf(events);
  }

  /** Whether {@code event} goes to this endpoint. */
  public boolean subscribes(String event) {
    return events == null || events.contains(event);
  }

  /**
   * The secrets that sign a message sent at {@code now}: the current one, and during a rotation's
   * overlap the previous one (contract: "the old secret keeps signing beside the new one for 24 h").
   */
  public List<String> secretsAt(Instant now) {
    if (previousSecret != null && previousSecretUntil != null && now.isBefore(previousSecretUntil.toInstant())) {
      return List.of(secret, previousSecret);
    }
    return List.of(secret);
  }

  /**
   * The endpoint as the API shows it: {@code {id, url, events, description, enabled, createdAt,
   * updatedAt}}, {@code disabledReason} once disabled, and with {@code withSecret} the secret and,
   * during a rotation's overlap, {@code previousSecretExpiresAt}. Lists never carry secrets.
   */
  public ObjectNode toJson(boolean withSecret, Instant now) {
    ObjectNode o = JsonNodeFactory.instance.objectNode().put("id", id.toString()).put("url", url);
    if (events == null) {
      o.putNull("events");
    } else {
      ArrayNode list = o.putArray("events");
      events.forEach(list::add);
    }
    o.put("description", description).put("enabled", enabled);
    if (!enabled) {
      o.put("disabledReason", disabledReason);
    }
    if (withSecret) {
      o.put("secret", secret);
      if (secretsAt(now).size() > 1) {
        o.put("previousSecretExpiresAt", Timestamps.iso(previousSecretUntil));
      }
    }
    return o.put("createdAt", Timestamps.iso(createdAt)).put("updatedAt", Timestamps.iso(updatedAt));
  }
}
