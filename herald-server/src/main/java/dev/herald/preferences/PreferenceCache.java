package dev.herald.preferences;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The preference documents the create path reads for every recipient, kept in memory: a miss
 * loads all missing recipients of a request in one query, a user without preferences is cached as
 * such, and this node's writes replace the entry. Bounded: when full it starts over.
 *
 * <p>Other nodes' writes are not seen until the entry is dropped; invalidation across nodes comes
 * with clustering.
 */
public final class PreferenceCache {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ENTRIES = 200_000;

  private final Pool pool;
  private final Map<String, JsonNode> docs = new ConcurrentHashMap<>();

  public PreferenceCache(Pool pool) {
    this.pool = pool;
  }

  /** The documents of {@code users} in {@code tenant} (null for a user without one). */
  public Future<Map<String, JsonNode>> documents(String tenant, List<String> users) {
    Map<String, JsonNode> out = new HashMap<>(users.size() * 2);
    List<String> missing = new ArrayList<>();
    for (String u : users) {
      JsonNode d = docs.get(key(tenant, u));
      if (d == null) {
        missing.add(u);
      } else {
        out.put(u, d.isNull() ? null : d);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture(out);
    }
    return pool.preparedQuery("select user_id, document::text from notification_preference "
            + "where tenant_id = $1 and user_id = any($2)")
        .execute(Tuple.tuple().addString(tenant).addArrayOfString(missing.toArray(new String[0])))
        .map(rows -> {
          Map<String, JsonNode> found = new HashMap<>();
          for (Row r : rows) {
            found.put(r.getString(0), parse(r.getString(1)));
          }
          if (docs.size() + missing.size() > MAX_ENTRIES) {
            docs.clear();
          }
          for (String u : missing) {
            JsonNode d = found.get(u);
            docs.put(key(tenant, u), d == null ? NullNode.getInstance() : d);
            out.put(u, d);
          }
          return out;
        });
  }

  /** Records a document this node just stored. */
  void stored(String tenant, String user, JsonNode doc) {
    docs.put(key(tenant, user), doc);
  }

  private static String key(String tenant, String user) {
    return tenant + '\u0000' + user;
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a stored preference document is not JSON", e);
    }
  }
}
