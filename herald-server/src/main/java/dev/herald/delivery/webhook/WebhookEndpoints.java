package dev.herald.delivery.webhook;

import dev.herald.store.Uuids;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Webhook endpoints in PostgreSQL ({@code webhook_endpoint}), per tenant: created with a new secret,
 * listed, read, deleted, their secret rotated, disabled. Every statement names the tenant, so another
 * tenant's endpoint is simply not found.
 *
 * <p>Threads: any; everything is asynchronous.
 */
public final class WebhookEndpoints implements EndpointStore {
  /** Contract: after a rotation "the old secret keeps signing beside the new one for 24 h". */
  static final Duration ROTATION_OVERLAP = Duration.ofHours(24);
  /** The most endpoints one list answers (a tenant has a handful; this bounds the answer). */
  static final int MAX_LISTED = 1_000;
  private static final String COLUMNS = "id, tenant_id, url, events, description, secret, previous_secret, "
      + "previous_secret_until, enabled, disabled_reason, created_at, updated_at";

  private final Pool pool;
  private final Clock clock;
  /**
   * Endpoints as the channel reads them for every job (one query per delivery otherwise); this
   * node's writes forget what they change. Another node's writes reach it with the cluster's cache
   * invalidation (issue 15).
   */
  private final dev.herald.store.ReadCache<WebhookEndpoint> cache = new dev.herald.store.ReadCache<>(10_000);

  public WebhookEndpoints(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** Stores {@code asked} for {@code tenant} with a new {@code whsec_} secret. */
  public Future<WebhookEndpoint> create(String tenant, NewEndpoint asked) {
    String[] events = asked.events() == null ? null : asked.events().toArray(String[]::new);
    return pool.preparedQuery("insert into webhook_endpoint (id, tenant_id, url, events, description, secret) "
            + "values ($1, $2, $3, $4, $5, $6) returning " + COLUMNS)
        .execute(Tuple.tuple().addUUID(Uuids.v7()).addString(tenant).addString(asked.url().toString())
            .addArrayOfString(events).addString(asked.description()).addString(WebhookSignature.newSecret()))
        .map(rows -> of(rows.iterator().next()));
  }

  /** The tenant's endpoints, oldest first, at most {@link #MAX_LISTED}. */
  public Future<List<WebhookEndpoint>> list(String tenant) {
    return pool.preparedQuery("select " + COLUMNS + " from webhook_endpoint where tenant_id = $1 "
            + "order by created_at, id limit " + MAX_LISTED)
        .execute(Tuple.of(tenant))
        .map(rows -> {
          List<WebhookEndpoint> all = new ArrayList<>(rows.size());
          rows.forEach(r -> all.add(of(r)));
          return all;
        });
  }

  @Override
  public Future<WebhookEndpoint> get(String tenant, UUID id) {
    return cache.get(key(tenant, id), () -> one("select " + COLUMNS + " from webhook_endpoint where tenant_id = $1 "
        + "and id = $2", Tuple.of(tenant, id)));
  }

  private static String key(String tenant, UUID id) {
    return tenant + '\u0000' + id;
  }

  private <T> Future<T> forgetting(String tenant, UUID id, Future<T> write) {
    String key = key(tenant, id);
    return write.andThen(ar -> cache.forget(key::equals));
  }

  /** The tenant's enabled endpoints that receive {@code event}, for the jobs of one notification. */
  public Future<List<WebhookEndpoint>> subscribed(String tenant, String event) {
    return pool.preparedQuery("select " + COLUMNS + " from webhook_endpoint where tenant_id = $1 and enabled "
            + "and (events is null or $2 = any(events)) order by id")
        .execute(Tuple.of(tenant, event))
        .map(rows -> {
          List<WebhookEndpoint> all = new ArrayList<>(rows.size());
          rows.forEach(r -> all.add(of(r)));
          return all;
        });
  }

  /** Deletes the endpoint (its pending jobs go with it: {@code on delete cascade}); false when there is none. */
  public Future<Boolean> delete(String tenant, UUID id) {
    return forgetting(tenant, id, pool.preparedQuery("delete from webhook_endpoint where tenant_id = $1 and id = $2")
        .execute(Tuple.of(tenant, id))
        .map(rows -> rows.rowCount() > 0));
  }

  /**
   * Gives the endpoint a new secret; the current one becomes the previous, signing beside the new one
   * until {@link #ROTATION_OVERLAP} from now (a secret older than that is dropped). Null when there is none.
   */
  public Future<WebhookEndpoint> rotateSecret(String tenant, UUID id) {
    OffsetDateTime until = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).plus(ROTATION_OVERLAP);
    return forgetting(tenant, id, one("update webhook_endpoint set previous_secret = secret, previous_secret_until = $3, "
        + "secret = $4, updated_at = now() where tenant_id = $1 and id = $2 returning " + COLUMNS,
        Tuple.of(tenant, id, until, WebhookSignature.newSecret())));
  }

  @Override
  public Future<Boolean> disable(String tenant, UUID id, String reason) {
    return forgetting(tenant, id, pool.preparedQuery("update webhook_endpoint set enabled = false, disabled_reason = $3, "
            + "updated_at = now() where tenant_id = $1 and id = $2")
        .execute(Tuple.of(tenant, id, reason))
        .map(rows -> rows.rowCount() > 0));
  }

  /** Turns a disabled endpoint back on (its owner fixed the receiver after a 410). Null when there is none. */
  public Future<WebhookEndpoint> enable(String tenant, UUID id) {
    return forgetting(tenant, id, one("update webhook_endpoint set enabled = true, disabled_reason = null, "
        + "updated_at = now() where tenant_id = $1 and id = $2 returning " + COLUMNS, Tuple.of(tenant, id)));
  }

  private Future<WebhookEndpoint> one(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).map(rows -> rows.size() == 0 ? null : of(rows.iterator().next()));
  }

  private static WebhookEndpoint of(Row r) {
    String[] events = r.getArrayOfStrings("events");
    return new WebhookEndpoint(r.getUUID("id"), r.getString("tenant_id"), r.getString("url"),
        events == null ? null : Arrays.asList(events), r.getString("description"), r.getString("secret"),
        r.getString("previous_secret"), r.getOffsetDateTime("previous_secret_until"), r.getBoolean("enabled"),
        r.getString("disabled_reason"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
  }
}
