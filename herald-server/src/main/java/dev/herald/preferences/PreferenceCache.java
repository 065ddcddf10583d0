package dev.herald.preferences;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The preference documents the create path reads for every recipient, and the tenant's defaults,
 * kept in memory: a miss loads all missing ones of a request in one query, a user without
 * preferences is cached as such, and this node's writes replace the entry. Bounded: when full it
 * starts over.
 *
 * <p>Other nodes' writes are not seen until the entry is dropped; invalidation across nodes comes
 * with clustering.
 */
public final class PreferenceCache {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ENTRIES = 200_000;
  private static final Stored NONE = new Stored(null, null);

  /**
   * A user's stored preferences: the document (null for none), the locale of their last token that
   * had one, and the time zone the user directory holds (the service's, else the token's
   * {@code zoneinfo}; null when neither), which daily digests go out in.
   */
  public record Stored(JsonNode document, String tokenLocale, String timeZone) {
    public Stored(JsonNode document, String tokenLocale) {
      this(document, tokenLocale, null);
    }
  }

  /** What one create reads: the tenant's defaults (null for none) and each recipient's preferences. */
  public record Loaded(JsonNode tenantDefaults, Map<String, Stored> users) {
    public Stored of(String user) {
      return users.getOrDefault(user, NONE);
    }
  }

  private final Pool pool;
  private final Map<String, Stored> entries = new ConcurrentHashMap<>();
  /** Moves on every write on this node: a load that started before a write does not cache what it read. */
  private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

  public PreferenceCache(Pool pool) {
    this.pool = pool;
  }

  /** The tenant's defaults and the preferences of {@code users} in {@code tenant}. */
  public Future<Loaded> load(String tenant, List<String> users) {
    Map<String, Stored> out = new HashMap<>(users.size() * 2);
    List<String> missing = new ArrayList<>();
    Stored defaults = entries.get(key(tenant, Preferences.TENANT_DEFAULTS));
    if (defaults == null) {
      missing.add(Preferences.TENANT_DEFAULTS);
    }
    for (String u : users) {
      Stored s = entries.get(key(tenant, u));
      if (s == null) {
        missing.add(u);
      } else {
        out.put(u, s);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture(new Loaded(defaults.document(), out));
    }
    long loadedAt = generation.get();
    return pool.preparedQuery("select u.id, p.document::text, p.token_locale, "
            + "coalesce(d.time_zone, d.claim_time_zone) from unnest($2::text[]) as u(id) "
            + "left join notification_preference p on p.tenant_id = $1 and p.user_id = u.id "
            + "left join directory_user d on d.tenant_id = $1 and d.user_id = u.id "
            + "where p.user_id is not null or d.user_id is not null")
        .execute(Tuple.tuple().addString(tenant).addArrayOfString(missing.toArray(new String[0])))
        .map(rows -> {
          Map<String, Stored> found = new HashMap<>();
          for (Row r : rows) {
            String doc = r.getString(1);
            found.put(r.getString(0), new Stored(doc == null ? null : parse(doc), r.getString(2), r.getString(3)));
          }
          if (entries.size() + missing.size() > MAX_ENTRIES) {
            entries.clear();
          }
          for (String u : missing) {
            Stored s = found.getOrDefault(u, NONE);
            // checked under the entry's lock: a write since the load began (its generation moved
            // before it touched the entry) keeps the entry out, or replaces what this puts
            entries.compute(key(tenant, u), (k, existing) -> generation.get() == loadedAt ? s : existing);
            if (!u.equals(Preferences.TENANT_DEFAULTS)) {
              out.put(u, s);
            }
          }
          Stored d = defaults != null ? defaults : found.getOrDefault(Preferences.TENANT_DEFAULTS, NONE);
          return new Loaded(d.document(), out);
        });
  }

  /** Records a document this node just stored. */
  void stored(String tenant, String user, JsonNode doc) {
    generation.incrementAndGet();
    // only where cached: an absent entry is loaded whole (with the token locale) on its next use
    entries.computeIfPresent(key(tenant, user), (k, old) -> new Stored(doc, old.tokenLocale(), old.timeZone()));
  }

  /** Records a token locale this node just stored (only where the user is cached already). */
  void tokenLocale(String tenant, String user, String locale) {
    generation.incrementAndGet();
    entries.computeIfPresent(key(tenant, user), (k, old) -> new Stored(old.document(), locale, old.timeZone()));
  }

  /** Drops the user's entry (their row was erased); a load under way does not put it back. */
  void forget(String tenant, String user) {
    generation.incrementAndGet();
    entries.remove(key(tenant, user));
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
