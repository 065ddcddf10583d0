package dev.herald.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.store.Timestamps;
import io.vertx.sqlclient.Row;

/**
 * One {@code directory_user} row read whole ({@link #COLUMNS}), and the user as the API shows it:
 * the effective value of each contact field (the service's, else the token claim's) and where each
 * came from.
 */
record DirectoryEntry(Row row) {
  /** The columns every read selects, in the order {@link #toJson} and {@link #contact} read them. */
  static final String COLUMNS = "user_id, email, name, locale, time_zone, data::text, claim_email, claim_name, "
      + "claim_locale, claim_time_zone, created_at, updated_at";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] FIELDS = {"email", "name", "locale", "timeZone"};

  /** {@code {id, email, name, locale, timeZone, data, sources: {field: service|token}, createdAt, updatedAt}}. */
  ObjectNode toJson() {
    ObjectNode out = JSON.createObjectNode().put("id", row.getString(0));
    ObjectNode sources = JSON.createObjectNode();
    for (int i = 0; i < FIELDS.length; i++) {
      String service = row.getString(1 + i);
      String claim = row.getString(6 + i);
      out.put(FIELDS[i], service != null ? service : claim);
      if (service != null || claim != null) {
        sources.put(FIELDS[i], service != null ? "service" : "token");
      }
    }
    out.set("data", data(row.getString(5)));
    out.set("sources", sources);
    out.put("createdAt", Timestamps.iso(row.getOffsetDateTime(10)));
    out.put("updatedAt", Timestamps.iso(row.getOffsetDateTime(11)));
    return out;
  }

  /** The effective contact fields. */
  Contact contact() {
    return new Contact(effective(1), effective(2), effective(3), effective(4));
  }

  private String effective(int column) {
    String service = row.getString(column);
    return service != null ? service : row.getString(column + 5);
  }

  private static JsonNode data(String json) {
    if (json == null) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a stored directory data object is not JSON", e);
    }
  }
}
