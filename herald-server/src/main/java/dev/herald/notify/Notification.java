package dev.herald.notify;

import dev.herald.store.Timestamps;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * One stored notification of one recipient, as read back from PostgreSQL. {@link #toJson} is the
 * shape clients see (seed 003): in history pages, in the {@code notification} event and in replays.
 *
 * @param sequence the recipient's sequence number, null until the notification is released
 * @param dataJson the {@code data} object as stored (JSON text), or null
 * @param requestId the create request it came from (shared by its recipients' rows)
 * @param live false when the recipient's preferences keep it off their live sessions (history only)
 * @param deliveredVia the delivery channels that delivered it (seed 000): {@code inApp} once a session
 *     had it written (or acked it), later email, push, webhook
 */
public record Notification(
    UUID id,
    String tenant,
    String recipient,
    Long sequence,
    String type,
    String title,
    String message,
    String channel,
    String priority,
    String status,
    String dataJson,
    String actionUrl,
    String actor,
    String resourceType,
    String resourceId,
    boolean requiresAck,
    OffsetDateTime scheduledAt,
    OffsetDateTime createdAt,
    OffsetDateTime releasedAt,
    OffsetDateTime deliveredAt,
    OffsetDateTime readAt,
    OffsetDateTime seenAt,
    OffsetDateTime archivedAt,
    UUID requestId,
    boolean live,
    List<String> deliveredVia) {

  public Notification {
    deliveredVia = List.copyOf(deliveredVia);
  }

  /** The columns {@link #of} reads, for SELECT and RETURNING lists. */
  static final String COLUMNS = "id, tenant_id, recipient, seq, type, title, message, channel, priority, status, "
      + "data::text as data, action_url, actor, resource_type, resource_id, requires_ack, scheduled_at, "
      + "created_at, released_at, delivered_at, read_at, seen_at, archived_at, request_id, live, delivered_via";

  private static final com.fasterxml.jackson.core.io.JsonStringEncoder ESCAPER =
      com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance();

  static Notification of(Row r) {
    return new Notification(r.getUUID("id"), r.getString("tenant_id"), r.getString("recipient"), r.getLong("seq"),
        r.getString("type"), r.getString("title"), r.getString("message"), r.getString("channel"),
        r.getString("priority"), r.getString("status"), r.getString("data"), r.getString("action_url"),
        r.getString("actor"), r.getString("resource_type"), r.getString("resource_id"), r.getBoolean("requires_ack"),
        r.getOffsetDateTime("scheduled_at"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("released_at"),
        r.getOffsetDateTime("delivered_at"), r.getOffsetDateTime("read_at"), r.getOffsetDateTime("seen_at"),
        r.getOffsetDateTime("archived_at"), r.getUUID("request_id"), r.getBoolean("live"),
        List.of(r.getArrayOfStrings("delivered_via")));
  }

  /** When it reached (or reaches) the recipient: its release, else its creation. */
  public OffsetDateTime timestamp() {
    return releasedAt != null ? releasedAt : createdAt;
  }

  /** The client shape as JSON text; {@code data} is copied byte for byte as stored. */
  public String toJson() {
    StringBuilder b = new StringBuilder(384 + (dataJson == null ? 0 : dataJson.length()) + message.length());
    b.append("{\"id\":\"").append(id).append('"');
    field(b, "type", type);
    field(b, "title", title);
    field(b, "message", message);
    field(b, "channel", channel);
    field(b, "priority", priority);
    field(b, "status", status);
    time(b, "timestamp", timestamp());
    time(b, "createdAt", createdAt);
    time(b, "readAt", readAt);
    time(b, "seenAt", seenAt);
    time(b, "deliveredAt", deliveredAt);
    b.append(",\"deliveredVia\":[");
    for (int i = 0; i < deliveredVia.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      quoted(b, deliveredVia.get(i));
    }
    b.append(']');
    time(b, "archivedAt", archivedAt);
    if (scheduledAt != null) {
      time(b, "scheduledAt", scheduledAt);
    }
    b.append(",\"data\":").append(dataJson == null ? "null" : dataJson);
    b.append(",\"requiresAck\":").append(requiresAck);
    field(b, "actionUrl", actionUrl);
    if (actor != null) {
      field(b, "actor", actor);
    }
    if (resourceType != null) {
      b.append(",\"resource\":{\"type\":");
      quoted(b, resourceType);
      b.append(",\"id\":");
      quoted(b, resourceId);
      b.append('}');
    }
    field(b, "recipient", recipient);
    b.append(",\"sequence\":").append(sequence == null ? "null" : sequence.toString()).append('}');
    return b.toString();
  }

  private static void field(StringBuilder b, String name, String value) {
    b.append(",\"").append(name).append("\":");
    quoted(b, value);
  }

  /** {@code value} as a JSON string (escaped by Jackson's encoder), or {@code null}. */
  static void quoted(StringBuilder b, String value) {
    if (value == null) {
      b.append("null");
      return;
    }
    b.append('"');
    ESCAPER.quoteAsString(value, b);
    b.append('"');
  }

  private static void time(StringBuilder b, String name, OffsetDateTime t) {
    b.append(",\"").append(name).append("\":");
    if (t == null) {
      b.append("null");
    } else {
      b.append('"');
      appendIso(b, t);
      b.append('"');
    }
  }

  /** {@code t} as clients see times: ISO-8601 in UTC with milliseconds, or null. */
  public static String iso(OffsetDateTime t) {
    return Timestamps.iso(t);
  }

  static void appendIso(StringBuilder b, OffsetDateTime t) {
    Timestamps.appendIso(b, t);
  }
}
