package dev.herald.delivery;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The engine's SQL on {@code delivery_job}: claims with {@code FOR UPDATE SKIP LOCKED} and a lease,
 * the end of attempts in one statement per batch (the job's new state, one delivery-log row per
 * attempt, {@code deliveredVia} on the notification), and the recovery of leases. Every statement
 * is parameterised.
 *
 * <p>Threads: called from the engine's virtual threads; each call blocks until PostgreSQL answered.
 */
final class JobQueue {
  private static final long TIMEOUT_SECONDS = 30;

  private final Pool pool;
  private final String node;

  JobQueue(Pool pool, String node) {
    this.pool = pool;
    this.node = node;
  }

  /** A job claimed, with what the engine checks before the channel runs it. */
  record Claimed(DeliveryJob job, String condition) {}

  /**
   * The end of one attempt, or of no attempt: {@code state} is the job's next one; {@code runAt}
   * when it runs again; {@code uncount} when no attempt was made (a breaker or a busy receiver
   * deferred it), so the attempt count goes back and no log row is written.
   */
  record Result(UUID id, String state, String reason, String error, String target, OffsetDateTime runAt,
      String detail, boolean uncount) {}

  /** A job whose attempt was recorded: what the user's sessions and metrics are told. */
  record Finished(UUID id, UUID notificationId, String tenant, String recipient, String channel, String state,
      int attempts, OffsetDateTime at) {}

  /** Jobs this node held when it stopped (a crash): runnable again now. */
  int reclaimOwn() {
    return await(pool.preparedQuery("update delivery_job set state = 'pending', run_at = now(), lease_until = null, "
            + "leased_by = null, updated_at = now() where state = 'running' and leased_by = $1")
        .execute(Tuple.of(node))).rowCount();
  }

  /** Jobs whose lease ran out (their node died): runnable again now. */
  int expireLeases() {
    return await(pool.preparedQuery("update delivery_job set state = 'pending', run_at = now(), lease_until = null, "
            + "leased_by = null, updated_at = now() where state = 'running' and lease_until < now()")
        .execute()).rowCount();
  }

  private static final String CLAIM = "with c as (select j.id from delivery_job j "
      + "  where j.state in ('pending', 'retrying') and j.run_at <= now() order by j.run_at limit $1 "
      + "  for update skip locked), "
      + "u as (update delivery_job d set state = 'running', attempts = d.attempts + 1, "
      + "  lease_until = now() + make_interval(secs => $2), leased_by = $3, updated_at = now() "
      + "  from c where d.id = c.id returning d.*) "
      + "select u.id, u.delivery_channel, u.tenant_id, u.recipient, u.notification_id, u.endpoint_id, u.event, "
      + "  u.payload::text as payload, u.locale, u.attempts, u.created_at, u.condition, u.digest_id, "
      + "  n.id as n_id, n.type, n.title, n.message, n.channel, n.priority, n.status, n.data::text as data, "
      + "  n.action_url, n.requires_ack, n.created_at as n_created_at, n.read_at, n.delivered_via, "
      // the recipient's contact, so that an email needs no query of its own: service value, else claim
      + "  coalesce(d.email, d.claim_email) as c_email, coalesce(d.name, d.claim_name) as c_name, "
      + "  coalesce(d.locale, d.claim_locale) as c_locale, "
      + "  ps.id as ps_id, ps.endpoint as ps_endpoint, ps.p256dh as ps_p256dh, ps.auth as ps_auth "
      + "from u left join notification n on n.id = u.notification_id "
      + "left join directory_user d on d.tenant_id = u.tenant_id and d.user_id = u.recipient "
      + "left join push_subscription ps on ps.id = u.subscription_id";

  /**
   * Claims up to {@code max} due jobs for {@code lease}; jobs other nodes hold are skipped. A
   * digest's send job closes its digest and comes with its items ({@link Digests#read}).
   */
  List<Claimed> claim(int max, Duration lease) {
    RowSet<Row> rows = await(pool.preparedQuery(CLAIM).execute(Tuple.of(max, lease.toMillis() / 1000.0, node)));
    List<UUID> digestIds = new ArrayList<>();
    for (Row r : rows) {
      if (isDigestSend(r)) {
        digestIds.add(r.getUUID("digest_id"));
      }
    }
    java.util.Map<UUID, DeliveryJob.Digest> digests = digestIds.isEmpty() ? java.util.Map.of()
        : Digests.closeAndRead(pool, digestIds);
    List<Claimed> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      DeliveryJob.Notification n = r.getUUID("n_id") == null ? null : new DeliveryJob.Notification(r.getUUID("n_id"),
          r.getString("type"), r.getString("title"), r.getString("message"), r.getString("channel"),
          r.getString("priority"), r.getString("status"), r.getString("data"), r.getString("action_url"),
          Boolean.TRUE.equals(r.getBoolean("requires_ack")), r.getOffsetDateTime("n_created_at"),
          r.getOffsetDateTime("read_at"), List.of(r.getArrayOfStrings("delivered_via")));
      DeliveryJob job = new DeliveryJob(r.getUUID("id"), r.getString("delivery_channel"), r.getString("tenant_id"),
          r.getString("recipient"), r.getUUID("notification_id"), r.getUUID("endpoint_id"), r.getString("event"),
          r.getString("payload"), r.getString("locale"), r.getInteger("attempts"), r.getOffsetDateTime("created_at"), n,
          new DeliveryJob.Contact(r.getString("c_email"), r.getString("c_name"), r.getString("c_locale")),
          r.getUUID("ps_id") == null ? null : new DeliveryJob.Subscription(r.getUUID("ps_id"),
              r.getString("ps_endpoint"), r.getString("ps_p256dh"), r.getString("ps_auth")),
          isDigestSend(r) ? digests.get(r.getUUID("digest_id")) : null);
      out.add(new Claimed(job, r.getString("condition")));
    }
    return out;
  }

  /**
   * A digest's send job: a digest and no notification. (An item, {@code skipped: digested}, names
   * its digest and its notification; an operator's retry of one sends that notification alone.)
   */
  private static boolean isDigestSend(Row r) {
    return r.getUUID("digest_id") != null && r.getUUID("notification_id") == null;
  }

  /** When the next runnable job falls due (null: none is waiting). */
  OffsetDateTime nextDue() {
    RowSet<Row> rows = await(pool.query("select min(run_at) from delivery_job where state in ('pending', 'retrying')")
        .execute());
    return rows.iterator().next().getOffsetDateTime(0);
  }

  private static final String FINISH = "with r as (select * from unnest($1::uuid[], $2::text[], $3::text[], "
      + "  $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::bool[]) "
      + "  as r(id, state, reason, error, target, run_at, detail, uncount)), "
      + "u as (update delivery_job j set state = r.state, reason = r.reason, "
      + "  last_error = case when r.uncount then j.last_error else r.error end, "
      + "  target = coalesce(r.target, j.target), run_at = coalesce(r.run_at, j.run_at), "
      + "  attempts = j.attempts - case when r.uncount then 1 else 0 end, lease_until = null, leased_by = null, "
      + "  updated_at = now(), finished_at = case when r.state in ('delivered', 'failed', 'skipped') then now() end "
      + "  from r where j.id = r.id and j.state = 'running' and j.leased_by = $9 "
      + "  returning j.id, j.notification_id, j.tenant_id, j.recipient, j.delivery_channel, j.state, j.attempts, "
      + "  j.digest_id, r.uncount, r.detail, r.error), "
      + "l as (insert into delivery_log (notification_id, tenant_id, channel, status, detail, attempt_count, "
      + "  delivered_at, job_id, error) select notification_id, tenant_id, delivery_channel, state, detail, attempts, "
      + "  case when state = 'delivered' then now() end, id, error from u where not uncount), "
      // a delivered digest delivered each unread notification it listed
      + "ud as (select notification_id, delivery_channel, state from u where notification_id is not null "
      + "  union all select i.notification_id, u.delivery_channel, u.state from u "
      + "  join delivery_job i on i.digest_id = u.digest_id and i.reason = 'digested' "
      + "  join notification ni on ni.id = i.notification_id and ni.read_at is null "
      + "  where u.digest_id is not null and u.notification_id is null and u.state = 'delivered'), "
      + "d as (select ud.notification_id, array_agg(distinct ud.delivery_channel) as channels, "
      + "  bool_and(not (n0.delivered_via && array['inApp', 'email', 'push'])) as first "
      + "  from ud join notification n0 on n0.id = ud.notification_id where ud.state = 'delivered' "
      + "  group by ud.notification_id), "
      + "n as (update notification set delivered_via = array(select distinct c from unnest(delivered_via || d.channels) c "
      + "  order by c) from d where notification.id = d.notification_id), "
      // webhook lifecycle events (V8): the first delivery on a channel but webhooks, and each email or push failure
      + "w as (select herald_webhook_event(array(select notification_id from d where first "
      + "  and d.channels && array['email', 'push']), 'notification.delivered') "
      + "  + herald_webhook_event(array(select distinct notification_id from u where state = 'failed' "
      + "  and delivery_channel in ('email', 'push') and notification_id is not null), 'notification.failed') as e) "
      + "select id, notification_id, tenant_id, recipient, delivery_channel, state, attempts, now() as at "
      + "from u, w where not uncount";

  /**
   * Records the end of attempts of jobs this node holds; a job whose lease another node took over
   * meanwhile is left alone. Returns the attempts recorded (not the deferred ones).
   */
  List<Finished> finish(List<Result> results) {
    int n = results.size();
    UUID[] id = new UUID[n];
    String[] state = new String[n];
    String[] reason = new String[n];
    String[] error = new String[n];
    String[] target = new String[n];
    OffsetDateTime[] runAt = new OffsetDateTime[n];
    String[] detail = new String[n];
    Boolean[] uncount = new Boolean[n];
    for (int i = 0; i < n; i++) {
      Result r = results.get(i);
      id[i] = r.id();
      state[i] = r.state();
      reason[i] = r.reason();
      error[i] = r.error();
      target[i] = r.target();
      runAt[i] = r.runAt();
      detail[i] = r.detail();
      uncount[i] = r.uncount();
    }
    Tuple args = Tuple.tuple().addArrayOfUUID(id).addArrayOfString(state).addArrayOfString(reason)
        .addArrayOfString(error).addArrayOfString(target).addArrayOfOffsetDateTime(runAt).addArrayOfString(detail)
        .addArrayOfBoolean(uncount).addString(node);
    RowSet<Row> rows = await(pool.preparedQuery(FINISH).execute(args));
    List<Finished> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(new Finished(r.getUUID("id"), r.getUUID("notification_id"), r.getString("tenant_id"),
          r.getString("recipient"), r.getString("delivery_channel"), r.getString("state"), r.getInteger("attempts"),
          r.getOffsetDateTime("at")));
    }
    return out;
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("PostgreSQL did not answer within " + TIMEOUT_SECONDS + " s", e);
    }
  }
}
