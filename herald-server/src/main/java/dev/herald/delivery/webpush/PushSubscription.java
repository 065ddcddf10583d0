package dev.herald.delivery.webpush;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.store.Timestamps;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One browser's push subscription as stored ({@code push_subscription}): where to send (the push
 * service's {@code endpoint}) and how to encrypt for it ({@code p256dh}, {@code auth}, base64url as
 * the browser gave them, RFC 8291 §3).
 *
 * @param expirationTime when the browser said the subscription ends, or null (most never say)
 * @param userAgent the subscribing request's {@code User-Agent}, at most 300 characters, or null
 */
public record PushSubscription(UUID id, String tenant, String user, String endpoint, String p256dh, String auth,
    OffsetDateTime expirationTime, String userAgent, OffsetDateTime createdAt) {

  /**
   * How the user's list shows it: {@code {id, endpoint, expirationTime, createdAt, userAgent?}}, never
   * the keys. {@code expirationTime} is epoch milliseconds, as the browser wrote it.
   */
  public ObjectNode toJson() {
    ObjectNode out = JsonNodeFactory.instance.objectNode()
        .put("id", id.toString())
        .put("endpoint", endpoint);
    if (expirationTime == null) {
      out.putNull("expirationTime");
    } else {
      out.put("expirationTime", expirationTime.toInstant().toEpochMilli());
    }
    out.put("createdAt", Timestamps.iso(createdAt));
    if (userAgent != null) {
      out.put("userAgent", userAgent);
    }
    return out;
  }
}
