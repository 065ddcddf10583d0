package dev.herald.delivery.webpush;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.delivery.DeliveryJob;
import java.time.Instant;
import java.util.function.Function;

/**
 * What the service worker receives: seed 000's {@code {title, body, icon, data: {notificationId,
 * url}}} plus {@code type}, {@code tag} and {@code timestamp} (epoch milliseconds, as
 * {@code showNotification} takes it), as UTF-8 JSON of at most {@link #MAX_BYTES}. Null members
 * are left out.
 *
 * <p>Threads: any; immutable.
 */
public record PushPayload(String title, String body, String icon, String notificationId, String url, String type,
    String tag, Instant timestamp) {
  /**
   * {@link WebPushEncryption#MAX_PLAINTEXT}, 3993 bytes: with the 86-byte header, the padding
   * delimiter and the 16-byte GCM tag the encrypted body is then at most 4096 bytes, all that RFC
   * 8030 §7.2 obliges a push service to accept.
   */
  public static final int MAX_BYTES = WebPushEncryption.MAX_PLAINTEXT;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ELLIPSIS = "…";

  public PushPayload {
    if (notificationId == null) {
      throw new IllegalArgumentException("a push payload names its notificationId");
    }
  }

  /** The payload of a notification: its title and message, its action URL, tagged by its id. */
  public static PushPayload of(DeliveryJob.Notification n, String icon) {
    return new PushPayload(n.title(), n.message(), icon, n.id().toString(), n.actionUrl(), n.type(), n.id().toString(),
        n.createdAt() == null ? null : n.createdAt().toInstant());
  }

  /**
   * The payload of a digest: "N new notifications", the listed items' titles one per line, tagged
   * by the digest's key (a newer digest of the same key replaces an older one still shown), and
   * {@code data.notificationId} the newest item's.
   */
  public static PushPayload digest(DeliveryJob.Digest d, String icon, Instant now) {
    String title = d.total() == 1 ? "1 new notification" : d.total() + " new notifications";
    StringBuilder body = new StringBuilder();
    for (DeliveryJob.Notification n : d.items()) {
      body.append(body.length() == 0 ? "" : "\n").append(n.title());
    }
    int more = d.total() - d.items().size();
    if (more > 0) {
      body.append("\n… and ").append(more).append(" more");
    }
    DeliveryJob.Notification newest = d.items().get(d.items().size() - 1);
    return new PushPayload(title, body.toString(), icon, newest.id().toString(), null, d.type(), "digest:" + d.key(),
        now);
  }

  /**
   * The JSON, within {@link #MAX_BYTES}: when too long, {@code body} is shortened first (to a
   * prefix of whole code points and "…"), then {@code title}; if even both empty do not fit, the
   * optional members ({@code icon}, {@code url}, {@code tag}, {@code type}) go. {@code
   * data.notificationId} always stays.
   *
   * @throws IllegalArgumentException when the notification id alone does not fit
   */
  public byte[] toJson() {
    byte[] whole = write(this);
    if (whole.length <= MAX_BYTES) {
      return whole;
    }
    PushPayload noBody = withTexts(title, body == null ? null : "");
    if (write(noBody).length <= MAX_BYTES) {
      return write(withTexts(title, longestFitting(body, b -> withTexts(title, b))));
    }
    PushPayload noTexts = withTexts(title == null ? null : "", noBody.body);
    if (write(noTexts).length <= MAX_BYTES) {
      return write(withTexts(longestFitting(title, t -> withTexts(t, noBody.body)), noBody.body));
    }
    PushPayload bare = new PushPayload(noTexts.title, noTexts.body, null, notificationId, null, null, null, timestamp);
    byte[] json = write(bare);
    if (json.length > MAX_BYTES) {
      throw new IllegalArgumentException("a notification id of " + notificationId.length() + " characters leaves no room");
    }
    return json;
  }

  /** This payload without its body: what a push service that refused the whole (413) may take. */
  public PushPayload withoutBody() {
    return withTexts(title, null);
  }

  private PushPayload withTexts(String newTitle, String newBody) {
    return new PushPayload(newTitle, newBody, icon, notificationId, url, type, tag, timestamp);
  }

  /**
   * The longest abbreviation of {@code text} whose payload fits (a binary search over code points;
   * JSON escapes and multi-byte characters are measured, not estimated). The empty abbreviation
   * fits: the caller checked it.
   */
  private static String longestFitting(String text, Function<String, PushPayload> payload) {
    int low = 0;
    int high = text.codePointCount(0, text.length()) - 1; // the whole text did not fit
    while (low < high) {
      int mid = (low + high + 1) >>> 1;
      if (write(payload.apply(abbreviate(text, mid))).length <= MAX_BYTES) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    return abbreviate(text, low);
  }

  /** The first {@code codePoints} of {@code text} and an ellipsis; "" for none. */
  static String abbreviate(String text, int codePoints) {
    return codePoints == 0 ? "" : text.substring(0, text.offsetByCodePoints(0, codePoints)) + ELLIPSIS;
  }

  private static byte[] write(PushPayload p) {
    ObjectNode root = JSON.createObjectNode();
    putIfPresent(root, "title", p.title);
    putIfPresent(root, "body", p.body);
    putIfPresent(root, "icon", p.icon);
    putIfPresent(root, "type", p.type);
    putIfPresent(root, "tag", p.tag);
    if (p.timestamp != null) {
      root.put("timestamp", p.timestamp.toEpochMilli());
    }
    ObjectNode data = root.putObject("data");
    data.put("notificationId", p.notificationId);
    putIfPresent(data, "url", p.url);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("writing a push payload failed", e);
    }
  }

  private static void putIfPresent(ObjectNode node, String name, String value) {
    if (value != null) {
      node.put(name, value);
    }
  }
}
