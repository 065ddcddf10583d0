package dev.herald.delivery.webpush;

import dev.herald.store.Uuids;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The browsers' push subscriptions in PostgreSQL ({@code push_subscription}, V9), per tenant and
 * user. One row per endpoint and tenant: the same endpoint subscribed again updates its keys and
 * passes to the caller (a browser shared by two accounts belongs to the last one). Every statement
 * names the tenant, so another tenant's subscription is simply not found.
 *
 * <p>Threads: any; everything is asynchronous.
 */
public final class PushSubscriptions {
  /** The most subscriptions one user holds: a browser per device, with room for stale ones. */
  public static final int MAX_PER_USER = 50;
  private static final String COLUMNS =
      "id, tenant_id, user_id, endpoint, p256dh, auth, expiration_time, user_agent, created_at";

  /**
   * What {@link #save} did.
   *
   * @param id the subscription's id, the same when its endpoint was stored already
   * @param created false when an existing subscription was updated
   */
  public record Saved(UUID id, boolean created) {}

  private final Pool pool;

  public PushSubscriptions(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores {@code body} for {@code user}, or updates the tenant's subscription of the same endpoint
   * (its keys, expiration, user agent, and its user). Null when the user holds {@link #MAX_PER_USER}
   * other subscriptions already. Exact under concurrency: a transaction-scoped advisory lock per
   * tenant and user orders that user's subscribes, and the insert's count (a statement after the
   * lock, so a snapshot after the previous holder's commit) sees every one before it.
   */
  public Future<Saved> save(String tenant, String user, PushSubscriptionBody body, String userAgent) {
    // xmax = 0: the row was inserted by this statement, not updated (PostgreSQL's system column)
    String sql = "insert into push_subscription (id, tenant_id, user_id, endpoint, p256dh, auth, expiration_time, "
        + "user_agent) select $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::text, $7::timestamptz, $8::text "
        + "where (select count(*) from push_subscription where tenant_id = $2 and user_id = $3 and endpoint <> $4) < "
        + MAX_PER_USER + " on conflict (tenant_id, endpoint) do update set user_id = excluded.user_id, "
        + "p256dh = excluded.p256dh, auth = excluded.auth, expiration_time = excluded.expiration_time, "
        + "user_agent = excluded.user_agent, updated_at = now() returning id, xmax = 0 as created";
    Tuple args = Tuple.tuple().addUUID(Uuids.v7()).addString(tenant).addString(user)
        .addString(body.endpoint().toString()).addString(body.p256dh()).addString(body.auth())
        .addOffsetDateTime(body.expirationTime()).addString(userAgent);
    return pool.withTransaction(tx -> tx.preparedQuery("select pg_advisory_xact_lock(hashtext($1), hashtext($2))")
        .execute(Tuple.of(tenant, user))
        .compose(locked -> tx.preparedQuery(sql).execute(args))).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      return new Saved(r.getUUID("id"), r.getBoolean("created"));
    });
  }

  /** The user's subscriptions, oldest first. */
  public Future<List<PushSubscription>> list(String tenant, String user) {
    return pool.preparedQuery("select " + COLUMNS + " from push_subscription where tenant_id = $1 and user_id = $2 "
            + "order by created_at, id limit " + (2 * MAX_PER_USER))
        .execute(Tuple.of(tenant, user))
        .map(rows -> {
          List<PushSubscription> all = new ArrayList<>(rows.size());
          rows.forEach(r -> all.add(of(r)));
          return all;
        });
  }

  /** The tenant's subscription {@code id} with its keys, for the channel; null when there is none. */
  public Future<PushSubscription> find(String tenant, UUID id) {
    return pool.preparedQuery("select " + COLUMNS + " from push_subscription where tenant_id = $1 and id = $2")
        .execute(Tuple.of(tenant, id))
        .map(rows -> rows.size() == 0 ? null : of(rows.iterator().next()));
  }

  /** The user's own {@code DELETE}; false when the subscription is not theirs (or not there). */
  public Future<Boolean> delete(String tenant, String user, UUID id) {
    return pool.preparedQuery("delete from push_subscription where tenant_id = $1 and user_id = $2 and id = $3")
        .execute(Tuple.of(tenant, user, id))
        .map(rows -> rows.rowCount() > 0);
  }

  /**
   * Removes a subscription the push service answered 404 or 410 for (contract: "404 or 410 from the
   * push service removes the subscription"); its jobs keep their history ({@code on delete set null}).
   */
  public Future<Boolean> remove(UUID id) {
    return pool.preparedQuery("delete from push_subscription where id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.rowCount() > 0);
  }

  /** Notes a push the service accepted ({@code last_success_at}). */
  public Future<Void> succeeded(UUID id) {
    return pool.preparedQuery("update push_subscription set last_success_at = now() where id = $1")
        .execute(Tuple.of(id))
        .mapEmpty();
  }

  private static PushSubscription of(Row r) {
    return new PushSubscription(r.getUUID("id"), r.getString("tenant_id"), r.getString("user_id"),
        r.getString("endpoint"), r.getString("p256dh"), r.getString("auth"), r.getOffsetDateTime("expiration_time"),
        r.getString("user_agent"), r.getOffsetDateTime("created_at"));
  }
}
