package dev.herald.types;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.store.ReadCache;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored notification types ({@code notification_type}): a tenant's own, else the system-wide
 * one (tenant {@code ""}, written by a global key), else {@link TypeDefinition#DEFAULT}.
 * {@link #resolve} answers the create path from a cache (one query per tenant and type until a
 * write on this node clears it); the rest serve {@code /api/types}.
 *
 * <p>Threads: any event loop; the cache is a concurrent map, writes bump {@link #generation} so a
 * load that began before a write does not cache what it read. Another node's write is seen here
 * once this node writes or restarts (like templates).
 */
public final class NotificationTypes {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NotificationTypes.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_CACHED = 10_000;
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

  /**
   * The definition that applies to {@code type} in a tenant, and where it came from.
   *
   * @param source {@code tenant}, {@code system} or {@code default}
   * @param tenant the tenant of the stored row, null for a system-wide or built-in one
   * @param createdAt null for the built-in default
   */
  public record Effective(String type, TypeDefinition definition, String source, String tenant,
      OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    /** The definition plus {@code type, tenant, source, createdAt, updatedAt}. */
    public ObjectNode toJson() {
      ObjectNode out = definition.toJson();
      out.put("type", type).put("tenant", tenant).put("source", source);
      out.put("createdAt", createdAt == null ? null : ISO.format(createdAt.withOffsetSameInstant(ZoneOffset.UTC)));
      out.put("updatedAt", updatedAt == null ? null : ISO.format(updatedAt.withOffsetSameInstant(ZoneOffset.UTC)));
      return out;
    }
  }

  /** A definition just written, and whether the write created it. */
  public record Written(Effective type, boolean created) {}

  private final Pool pool;
  private final ReadCache<Effective> cache = new ReadCache<>(MAX_CACHED);

  public NotificationTypes(Pool pool) {
    this.pool = pool;
  }

  /** The definition of {@code type} that applies in {@code tenant} ({@code ""}: system-wide), cached. */
  public Future<Effective> resolve(String tenant, String type) {
    return cache.get(tenant + '\u0000' + type, () -> pool.preparedQuery("select tenant_id, type, "
            + "definition::text as definition, created_at, updated_at "
            + "from notification_type where tenant_id = any($1) and type = $2 order by tenant_id desc limit 1")
        .execute(Tuple.tuple().addArrayOfString(new String[] {tenant, ""}).addString(type))
        .map(rows -> rows.size() == 0
            ? new Effective(type, TypeDefinition.DEFAULT, "default", null, null, null)
            : effective(rows.iterator().next())));
  }

  /** Stores {@code definition} as {@code type} of {@code tenant} ({@code ""}: system-wide). */
  public Future<Written> put(String tenant, String type, TypeDefinition definition) {
    return pool.preparedQuery("insert into notification_type as n (tenant_id, type, definition) values ($1, $2, $3::text::json) "
            + "on conflict (tenant_id, type) do update set definition = excluded.definition, updated_at = now() "
            + "returning tenant_id, type, definition::text as definition, created_at, updated_at, (xmax = 0) as created")
        .execute(Tuple.of(tenant, type, definition.toJson().toString()))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Written(effective(row), row.getBoolean("created"));
        })
        .andThen(ar -> invalidate());
  }

  /** Deletes {@code type} of {@code tenant}; false when there was none. */
  public Future<Boolean> delete(String tenant, String type) {
    return pool.preparedQuery("delete from notification_type where tenant_id = $1 and type = $2")
        .execute(Tuple.of(tenant, type))
        .map(rows -> rows.rowCount() > 0)
        .andThen(ar -> invalidate());
  }

  /** The types defined for {@code tenant}: its own, and the system-wide ones it does not override; by name. */
  public Future<List<Effective>> list(String tenant) {
    return pool.preparedQuery("select distinct on (type) tenant_id, type, definition::text as definition, created_at, "
            + "updated_at from notification_type where tenant_id = any($1) order by type, tenant_id desc")
        .execute(Tuple.tuple().addArrayOfString(new String[] {tenant, ""}))
        .map(rows -> {
          List<Effective> out = new ArrayList<>(rows.size());
          for (Row row : rows) {
            out.add(effective(row));
          }
          return out;
        });
  }

  private void invalidate() {
    cache.forgetAll();
  }

  private static Effective effective(Row row) {
    String tenant = row.getString("tenant_id");
    TypeDefinition definition;
    try {
      definition = TypeDefinition.parse(JSON.readTree(row.getString("definition")));
    } catch (InvalidRequest | com.fasterxml.jackson.core.JsonProcessingException e) {
      // only validated definitions are written; a row edited by hand that no longer reads is the default
      LOG.warn("notification type {} of tenant '{}' does not read ({}); the default applies", row.getString("type"),
          tenant, e.getMessage());
      definition = TypeDefinition.DEFAULT;
    }
    return new Effective(row.getString("type"), definition, tenant.isEmpty() ? "system" : "tenant",
        tenant.isEmpty() ? null : tenant, row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
  }
}
