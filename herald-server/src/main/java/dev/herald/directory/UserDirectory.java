package dev.herald.directory;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Identity;
import dev.herald.preferences.Preferences;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.Optional;

/**
 * The user directory ({@code directory_user}, contract part 2 "Recipients: the user directory"):
 * how to reach each user of a tenant. Services set the fields ({@code PUT /api/users/{userId}}, or
 * inline recipients of a create); the claims of users' tokens fill the gaps ({@code claim_*}
 * columns, stored at connect); reading takes the service's value, else the claim's. Also erases
 * (GDPR Art. 17) and exports (Art. 15) everything Herald holds about a user.
 *
 * <p>Threads: any; everything is asynchronous.
 */
public final class UserDirectory {
  private static final String PUT = "insert into directory_user (tenant_id, user_id, email, name, locale, time_zone, "
      + "data) values ($1, $2, $3, $4, $5, $6, $7::text::jsonb) on conflict (tenant_id, user_id) do update set "
      + "email = excluded.email, name = excluded.name, locale = excluded.locale, time_zone = excluded.time_zone, "
      + "data = excluded.data, updated_at = now() returning " + DirectoryEntry.COLUMNS;
  private static final String GET = "select " + DirectoryEntry.COLUMNS + " from directory_user "
      + "where tenant_id = $1 and user_id = $2";
  /** Only the fields given: a null keeps what is stored. No write when nothing changes. */
  private static final String UPSERT_GIVEN = "insert into directory_user (tenant_id, user_id, email, name, locale, "
      + "time_zone) select $1, u.id, u.email, u.name, u.locale, u.tz from unnest($2::text[], $3::text[], $4::text[], "
      + "$5::text[], $6::text[]) as u(id, email, name, locale, tz) order by u.id "
      + "on conflict (tenant_id, user_id) do update set email = coalesce(excluded.email, directory_user.email), "
      + "name = coalesce(excluded.name, directory_user.name), locale = coalesce(excluded.locale, directory_user.locale), "
      + "time_zone = coalesce(excluded.time_zone, directory_user.time_zone), updated_at = now() "
      + "where (directory_user.email, directory_user.name, directory_user.locale, directory_user.time_zone) "
      + "is distinct from (coalesce(excluded.email, directory_user.email), coalesce(excluded.name, directory_user.name), "
      + "coalesce(excluded.locale, directory_user.locale), coalesce(excluded.time_zone, directory_user.time_zone))";

  private final Pool pool;
  private final Preferences preferences;
  private final TokenClaims claims;
  private final UserErasure erasure;
  private final UserExport export;

  /** On {@code pool}; {@code preferences} forgets what it cached of an erased user. */
  public UserDirectory(Pool pool, Preferences preferences) {
    this.pool = pool;
    this.preferences = preferences;
    this.claims = new TokenClaims(pool);
    this.erasure = new UserErasure(pool);
    this.export = new UserExport(pool);
  }

  /** {@code PUT}: replaces the service-set fields of {@code user} (token claims stay); completes with the entry. */
  public Future<ObjectNode> put(String tenant, String user, UserFields fields) {
    return pool.preparedQuery(PUT)
        .execute(Tuple.of(tenant, user, fields.email(), fields.name(), fields.locale(), fields.timeZone(),
            fields.dataJson()))
        .map(rows -> {
          // the create path caches the user's time zone beside their preferences (daily digests)
          preferences.directoryChanged(tenant, user);
          return new DirectoryEntry(rows.iterator().next()).toJson();
        });
  }

  /** The user's effective entry, with the source of each field; null when nothing is stored. */
  public Future<ObjectNode> get(String tenant, String user) {
    return read(tenant, user).map(row -> row == null ? null : new DirectoryEntry(row).toJson());
  }

  /**
   * How to reach {@code user} (the email channel's lookup): each field the service's value, else
   * the token claim's; empty when the directory holds nothing of them.
   */
  public Future<Optional<Contact>> contact(String tenant, String user) {
    return read(tenant, user).map(row -> Optional.ofNullable(row).map(r -> new DirectoryEntry(r).contact()));
  }

  /**
   * Stores the fields of a create's inline recipients, by user id: only the fields given (the
   * others keep what is stored). Users without fields are left alone.
   */
  public Future<Void> upsertGiven(String tenant, Map<String, UserFields> users) {
    String[][] columns = new String[5][users.size()];
    int n = 0;
    for (Map.Entry<String, UserFields> e : users.entrySet()) {
      UserFields f = e.getValue();
      if (f.isEmpty()) {
        continue;
      }
      columns[0][n] = e.getKey();
      columns[1][n] = f.email();
      columns[2][n] = f.name();
      columns[3][n] = f.locale();
      columns[4][n] = f.timeZone();
      n++;
    }
    if (n == 0) {
      return Future.succeededFuture();
    }
    Tuple args = Tuple.tuple().addString(tenant);
    for (String[] column : columns) {
      args.addArrayOfString(java.util.Arrays.copyOf(column, n));
    }
    return pool.preparedQuery(UPSERT_GIVEN).execute(args).<Void>mapEmpty().onSuccess(v -> {
      for (Map.Entry<String, UserFields> e : users.entrySet()) {
        if (e.getValue().timeZone() != null) {
          preferences.directoryChanged(tenant, e.getKey());
        }
      }
    });
  }

  /**
   * Stores the contact claims of a token that connected (its {@code email}, {@code name},
   * {@code locale}, {@code zoneinfo}), unless this node stored the same lately. Never fails:
   * a failed write is logged.
   */
  public void rememberClaims(Identity user) {
    claims.remember(user, () -> preferences.directoryChanged(user.tenantId(), user.userId()));
  }

  /** GDPR erasure of {@code user} in {@code tenant}, in one transaction; nothing stored is success too. */
  public Future<Void> erase(String tenant, String user) {
    return erasure.erase(tenant, user).onSuccess(v -> {
      preferences.forget(tenant, user);
      claims.forget(tenant, user);
    });
  }

  /** GDPR export: everything Herald holds about {@code user} in {@code tenant} ({@link UserExport}). */
  public Future<ObjectNode> export(String tenant, String user) {
    return export.export(tenant, user);
  }

  private Future<Row> read(String tenant, String user) {
    return pool.preparedQuery(GET).execute(Tuple.of(tenant, user))
        .map((RowSet<Row> rows) -> rows.size() == 0 ? null : rows.iterator().next());
  }
}
