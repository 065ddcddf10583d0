package dev.herald.notify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * One stored notification of one recipient, as read back from PostgreSQL. {@link #toJson} is the
 * shape clients see (seed 003): in history pages, in the {@code notification} event and in replays.
 *
 * @param sequence the recipient's sequence number, null until the notification is released
 * @param dataJson the {@code data} object as stored (JSON text), or null
 * @param requestId the create request it came from (shared by its recipients' rows)
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
    UUID requestId) {

  /** The columns {@link #of} reads, for SELECT and RETURNING lists. */
  static final String COLUMNS = "id, tenant_id, recipient, seq, type, title, message, channel, priority, status, "
      + "data::text as data, action_url, actor, resource_type, resource_id, requires_ack, scheduled_at, "
      + "created_at, released_at, delivered_at, read_at, seen_at, archived_at, request_id";

  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

  static Notification of(Row r) {
    return new Notification(r.getUUID("id"), r.getString("tenant_id"), r.getString("recipient"), r.getLong("seq"),
        r.getString("type"), r.getString("title"), r.getString("message"), r.getString("channel"),
        r.getString("priority"), r.getString("status"), r.getString("data"), r.getString("action_url"),
        r.getString("actor"), r.getString("resource_type"), r.getString("resource_id"), r.getBoolean("requires_ack"),
        r.getOffsetDateTime("scheduled_at"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("released_at"),
        r.getOffsetDateTime("delivered_at"), r.getOffsetDateTime("read_at"), r.getOffsetDateTime("seen_at"),
        r.getOffsetDateTime("archived_at"), r.getUUID("request_id"));
  }

  /** When it reached (or reaches) the recipient: its release, else its creation. */
  public OffsetDateTime timestamp() {
    return releasedAt != null ? releasedAt : createdAt;
  }

  /** The client shape as JSON text; {@code data} is copied byte for byte as stored. */
  public String toJson() {
    StringWriter out = new StringWriter(256 + (dataJson == null ? 0 : dataJson.length()));
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", id.toString());
    g.writeStringField("type", type);
    g.writeStringField("title", title);
    g.writeStringField("message", message);
    g.writeStringField("channel", channel);
    g.writeStringField("priority", priority);
    g.writeStringField("status", status);
    time(g, "timestamp", timestamp());
    time(g, "createdAt", createdAt);
    time(g, "readAt", readAt);
    time(g, "seenAt", seenAt);
    time(g, "deliveredAt", deliveredAt);
    time(g, "archivedAt", archivedAt);
    if (scheduledAt != null) {
      time(g, "scheduledAt", scheduledAt);
    }
    g.writeFieldName("data");
    if (dataJson == null) {
      g.writeNull();
    } else {
      g.writeRawValue(dataJson);
    }
    g.writeBooleanField("requiresAck", requiresAck);
    g.writeStringField("actionUrl", actionUrl);
    if (actor != null) {
      g.writeStringField("actor", actor);
    }
    if (resourceType != null) {
      g.writeObjectFieldStart("resource");
      g.writeStringField("type", resourceType);
      g.writeStringField("id", resourceId);
      g.writeEndObject();
    }
    g.writeStringField("recipient", recipient);
    if (sequence != null) {
      g.writeNumberField("sequence", sequence);
    } else {
      g.writeNullField("sequence");
    }
    g.writeEndObject();
  }

  /** {@code t} as clients see times: ISO-8601 in UTC with milliseconds, or null. */
  public static String iso(OffsetDateTime t) {
    return t == null ? null : ISO.format(t.withOffsetSameInstant(ZoneOffset.UTC));
  }

  private static void time(JsonGenerator g, String field, OffsetDateTime t) throws IOException {
    if (t == null) {
      g.writeNullField(field);
    } else {
      g.writeStringField(field, iso(t));
    }
  }
}
