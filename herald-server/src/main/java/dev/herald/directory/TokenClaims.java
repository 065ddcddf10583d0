package dev.herald.directory;

import dev.herald.auth.Identity;
import dev.herald.templates.Locales;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the contact claims of users' tokens ({@code email}, {@code name}, {@code locale},
 * {@code zoneinfo}) in the {@code claim_*} columns of {@code directory_user} when a session
 * connects. A claim the token lacks keeps the stored one; the service's own columns are never
 * touched (they win when reading). This node remembers what it stored, so reconnects with the same
 * token do not write again; a failure is only logged, and never holds up a connection.
 *
 * <p>Threads: any; the write is asynchronous.
 */
final class TokenClaims {
  private static final Logger LOG = LoggerFactory.getLogger(TokenClaims.class);
  private static final int MAX_REMEMBERED = 100_000;
  /** How long this node trusts that the claims it stored are still the stored ones (another node may store others). */
  private static final long REMEMBER_NANOS = TimeUnit.MINUTES.toNanos(5);
  private static final String UPSERT = "insert into directory_user (tenant_id, user_id, claim_email, claim_name, "
      + "claim_locale, claim_time_zone) values ($1, $2, $3, $4, $5, $6) on conflict (tenant_id, user_id) do update set "
      + "claim_email = coalesce(excluded.claim_email, directory_user.claim_email), "
      + "claim_name = coalesce(excluded.claim_name, directory_user.claim_name), "
      + "claim_locale = coalesce(excluded.claim_locale, directory_user.claim_locale), "
      + "claim_time_zone = coalesce(excluded.claim_time_zone, directory_user.claim_time_zone), updated_at = now() "
      + "where (directory_user.claim_email, directory_user.claim_name, directory_user.claim_locale, "
      + "directory_user.claim_time_zone) is distinct from (coalesce(excluded.claim_email, directory_user.claim_email), "
      + "coalesce(excluded.claim_name, directory_user.claim_name), coalesce(excluded.claim_locale, "
      + "directory_user.claim_locale), coalesce(excluded.claim_time_zone, directory_user.claim_time_zone))";

  /** The claims this node stored for a user, and when. */
  private record Stored(Claims claims, long at) {}

  private record Claims(String email, String name, String locale, String timeZone) {}

  private final Pool pool;
  /** By tenant and user; any thread. Bounded: when full it starts over. */
  private final Map<String, Stored> stored = new ConcurrentHashMap<>();

  TokenClaims(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores {@code user}'s contact claims unless this node stored the same ones lately;
   * {@code zoneStored} runs once a write that carried a time zone is stored.
   */
  void remember(Identity user, Runnable zoneStored) {
    // the verifier dropped malformed email, name and zoneinfo claims; the locale is normalised here
    Claims claims = new Claims(user.email(), user.name(), Locales.normalize(user.locale()), user.timeZone());
    if (claims.email() == null && claims.name() == null && claims.locale() == null && claims.timeZone() == null) {
      return;
    }
    String key = key(user.tenantId(), user.userId());
    long now = System.nanoTime();
    Stored seen = stored.get(key);
    if (seen != null && seen.claims().equals(claims) && now - seen.at() < REMEMBER_NANOS) {
      return;
    }
    if (stored.size() >= MAX_REMEMBERED) {
      stored.clear();
    }
    stored.put(key, new Stored(claims, now));
    pool.preparedQuery(UPSERT)
        .execute(Tuple.of(user.tenantId(), user.userId(), claims.email(), claims.name(), claims.locale(),
            claims.timeZone()))
        .onSuccess(rows -> {
          if (claims.timeZone() != null) {
            zoneStored.run();
          }
        })
        .onFailure(e -> {
          stored.remove(key);
          LOG.warn("could not store the token claims of a user: {}", e.toString());
        });
  }

  /** Forgets what this node stored for the user (erased): their next connection stores its claims again. */
  void forget(String tenant, String user) {
    stored.remove(key(tenant, user));
  }

  private static String key(String tenant, String user) {
    return tenant + '\u0000' + user;
  }
}
