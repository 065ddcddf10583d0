package dev.herald.preferences;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Identity;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Preference documents in PostgreSQL ({@code notification_preference}): each user's, and each
 * tenant's defaults (the row of user {@code ""}), read, replaced, or merged in one transaction that
 * locks the row, so concurrent merges never lose each other's fields. Invalid documents are refused
 * before anything is written. Also remembers the locale of users' tokens.
 *
 * <p>Threads: any; everything is asynchronous.
 */
public final class Preferences {
  /** The user id under which a tenant's default document is stored. */
  static final String TENANT_DEFAULTS = "";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REMEMBERED_LOCALES = 100_000;

  private final Pool pool;
  private final PreferenceCache cache;
  /** How long this node trusts that a token locale it stored is still the stored one (another node may store another). */
  private static final long REMEMBER_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(5);

  /** A token locale this node stored, and when. */
  private record Remembered(String locale, long at) {}

  /** Token locales this node has stored lately, so that reconnects do not write an unchanged one again. */
  private final Map<String, Remembered> storedTokenLocales = new ConcurrentHashMap<>();

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
    return read(pool, user.tenantId(), user.userId(), false).map(PreferenceDocument::view);
  }

  /** Replaces the user's document with {@code doc}; completes with the stored view. */
  public Future<ObjectNode> replace(Identity user, JsonNode doc) {
    return replace(user.tenantId(), user.userId(), doc).map(PreferenceDocument::view);
  }

  /** Merges {@code patch} into the user's document (RFC 7396); completes with the stored view. */
  public Future<ObjectNode> merge(Identity user, JsonNode patch) {
    return merge(user.tenantId(), user.userId(), patch).map(PreferenceDocument::view);
  }

  /** The tenant's default document as stored (fields it leaves out fall to the system default). */
  public Future<ObjectNode> tenantDefaults(String tenant) {
    return read(pool, tenant, TENANT_DEFAULTS, false).map(d -> d == null ? JSON.createObjectNode() : d);
  }

  public Future<ObjectNode> replaceTenantDefaults(String tenant, JsonNode doc) {
    return replace(tenant, TENANT_DEFAULTS, doc);
  }

  public Future<ObjectNode> mergeTenantDefaults(String tenant, JsonNode patch) {
    return merge(tenant, TENANT_DEFAULTS, patch);
  }

  /**
   * Stores the {@code locale} claim of a user's token, when it carries one this node has not
   * stored yet; templates fall back to it. Failures are only logged: a connection never waits on it.
   */
  public void rememberTokenLocale(Identity user) {
    String locale = dev.herald.templates.Locales.normalize(user.locale());
    if (locale == null) {
      return;
    }
    String key = user.tenantId() + '\u0000' + user.userId();
    long now = System.nanoTime();
    Remembered seen = storedTokenLocales.get(key);
    if (seen != null && seen.locale().equals(locale) && now - seen.at() < REMEMBER_NANOS) {
      return;
    }
    if (storedTokenLocales.size() >= MAX_REMEMBERED_LOCALES) {
      storedTokenLocales.clear();
    }
    storedTokenLocales.put(key, new Remembered(locale, now));
    pool.preparedQuery("insert into notification_preference (tenant_id, user_id, document, token_locale) "
            + "values ($1, $2, '{}'::json, $3) on conflict (tenant_id, user_id) do update set token_locale = excluded.token_locale "
            + "where notification_preference.token_locale is distinct from excluded.token_locale")
        .execute(Tuple.of(user.tenantId(), user.userId(), locale))
        .onSuccess(v -> cache.tokenLocale(user.tenantId(), user.userId(), locale))
        .onFailure(e -> {
          storedTokenLocales.remove(key);
          org.slf4j.LoggerFactory.getLogger(Preferences.class).warn("could not store the token locale of a user: {}",
              e.toString());
        });
  }

  /**
   * Forgets what this node holds in memory of {@code user} (their rows were erased): cached
   * preferences and the token locale it stored.
   */
  public void forget(String tenant, String user) {
    storedTokenLocales.remove(tenant + '\u0000' + user);
    cache.forget(tenant, user);
  }

  /**
   * The user directory changed what it holds of {@code user} (their time zone, which the cache
   * keeps beside the preferences): the next create reads it again.
   */
  public void directoryChanged(String tenant, String user) {
    cache.forget(tenant, user);
  }

  private Future<ObjectNode> replace(String tenant, String user, JsonNode doc) {
    ObjectNode valid;
    try {
      valid = PreferenceDocument.validate(doc);
    } catch (InvalidRequest e) {
      return Future.failedFuture(e);
    }
    return write(pool, tenant, user, valid).onSuccess(stored -> cache.stored(tenant, user, stored));
  }

  private Future<ObjectNode> merge(String tenant, String user, JsonNode patch) {
    // the row first (an empty document is the defaults), so that even a user's first two
    // concurrent merges find a row to lock and keep each other's fields
    return pool.withTransaction(tx -> tx.preparedQuery("insert into notification_preference (tenant_id, user_id, document) "
            + "values ($1, $2, '{}'::json) on conflict (tenant_id, user_id) do nothing")
        .execute(Tuple.of(tenant, user))
        .compose(v -> read(tx, tenant, user, true)).compose(stored -> {
      ObjectNode merged;
      try {
        merged = PreferenceDocument.merge(stored, patch);
      } catch (InvalidRequest e) {
        return Future.failedFuture(e);
      }
      return write(tx, tenant, user, merged);
    })).onSuccess(doc -> cache.stored(tenant, user, doc));
  }

  private static Future<ObjectNode> read(SqlClient client, String tenant, String user, boolean lock) {
    return client.preparedQuery("select document::text from notification_preference where tenant_id = $1 and user_id = $2"
            + (lock ? " for update" : ""))
        .execute(Tuple.of(tenant, user))
        .map(Preferences::document);
  }

  private static Future<ObjectNode> write(SqlClient client, String tenant, String user, ObjectNode doc) {
    return client.preparedQuery("insert into notification_preference (tenant_id, user_id, document) values ($1, $2, $3::text::json) "
            + "on conflict (tenant_id, user_id) do update set document = excluded.document, updated_at = now() "
            + "returning document::text")
        .execute(Tuple.of(tenant, user, doc.toString()))
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
