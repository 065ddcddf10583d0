package dev.herald.preferences;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Identity;
import dev.herald.notify.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Users' preference documents in PostgreSQL ({@code notification_preference}): read, replaced, or
 * merged in one transaction that locks the row, so concurrent merges never lose each other's
 * fields. Invalid documents are refused before anything is written.
 *
 * <p>Threads: any; everything is asynchronous.
 */
public final class Preferences {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Pool pool;
  private final PreferenceCache cache;

  public Preferences(Pool pool) {
    this.pool = pool;
    this.cache = new PreferenceCache(pool);
  }

  /** What the create path reads: documents by user, cached. */
  public PreferenceCache cache() {
    return cache;
  }

  /** The user's preferences as they see them ({@link PreferenceDocument#view}). */
  public Future<ObjectNode> get(Identity user) {
    return read(pool, user, false).map(PreferenceDocument::view);
  }

  /** Replaces the user's document with {@code doc}; completes with the stored view. */
  public Future<ObjectNode> replace(Identity user, JsonNode doc) {
    ObjectNode valid;
    try {
      valid = PreferenceDocument.validate(doc);
    } catch (InvalidRequest e) {
      return Future.failedFuture(e);
    }
    return write(pool, user, valid).onSuccess(stored -> cache.stored(user.tenantId(), user.userId(), stored))
        .map(PreferenceDocument::view);
  }

  /** Merges {@code patch} into the user's document (RFC 7396); completes with the stored view. */
  public Future<ObjectNode> merge(Identity user, JsonNode patch) {
    // the row first (an empty document is the defaults), so that even a user's first two
    // concurrent merges find a row to lock and keep each other's fields
    return pool.withTransaction(tx -> tx.preparedQuery("insert into notification_preference (tenant_id, user_id, document) "
            + "values ($1, $2, '{}'::json) on conflict (tenant_id, user_id) do nothing")
        .execute(Tuple.of(user.tenantId(), user.userId()))
        .compose(v -> read(tx, user, true)).compose(stored -> {
      ObjectNode merged;
      try {
        merged = PreferenceDocument.merge(stored, patch);
      } catch (InvalidRequest e) {
        return Future.failedFuture(e);
      }
      return write(tx, user, merged);
    })).onSuccess(doc -> cache.stored(user.tenantId(), user.userId(), doc)).map(PreferenceDocument::view);
  }

  private static Future<ObjectNode> read(SqlClient client, Identity user, boolean lock) {
    return client.preparedQuery("select document::text from notification_preference where tenant_id = $1 and user_id = $2"
            + (lock ? " for update" : ""))
        .execute(Tuple.of(user.tenantId(), user.userId()))
        .map(Preferences::document);
  }

  private static Future<ObjectNode> write(SqlClient client, Identity user, ObjectNode doc) {
    return client.preparedQuery("insert into notification_preference (tenant_id, user_id, document) values ($1, $2, $3::text::json) "
            + "on conflict (tenant_id, user_id) do update set document = excluded.document, updated_at = now() "
            + "returning document::text")
        .execute(Tuple.of(user.tenantId(), user.userId(), doc.toString()))
        .map(Preferences::document);
  }

  private static ObjectNode document(RowSet<Row> rows) {
    var it = rows.iterator();
    if (!it.hasNext()) {
      return null;
    }
    try {
      return (ObjectNode) JSON.readTree(it.next().getString(0));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a stored preference document is not JSON", e);
    }
  }
}
