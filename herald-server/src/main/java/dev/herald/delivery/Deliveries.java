package dev.herald.delivery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.store.Timestamps;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Delivery jobs as operators see and steer them: lists with filters and a cursor, one job with
 * every attempt, a retry of one job or of all failed ones, a cancel. Every query is by tenant
 * ({@code null}: a global key looking across tenants). A job as shown:
 * {@code {id, notificationId, userId, channel, status, reason?, attemptCount, attempts: [{at,
 * status, error?}], nextAttemptAt?, target?, createdAt, updatedAt}} plus {@code event} and
 * {@code endpointId} for webhooks and {@code lastError}.
 *
 * <p>Threads: any; everything is asynchronous.
 */
public final class Deliveries {
  public static final Set<String> STATES = Set.of("held", "pending", "running", "retrying", "delivered", "failed",
      "skipped", "cancelled");
  public static final Set<String> CHANNELS = Set.of("email", "push", "webhook");
  /** What a retry may restart: jobs that ended without delivering, or wait for a later attempt. */
  private static final String RETRYABLE = "('failed', 'skipped', 'cancelled', 'retrying')";
  private static final String CANCELLABLE = "('held', 'pending', 'retrying')";
  private static final String COLUMNS = "id, notification_id, recipient, delivery_channel, state, reason, attempts, "
      + "run_at, target, event, endpoint_id, last_error, created_at, updated_at, tenant_id, digest_id";

  private final Pool pool;
  private final Runnable wake;

  /** {@code wake} tells this node's engine that jobs became runnable (other nodes hear the NOTIFY). */
  public Deliveries(Pool pool, Runnable wake) {
    this.pool = pool;
    this.wake = wake;
  }

  /** The filters of a list; null fields do not filter. {@code cursor} is the last id of the previous page. */
  public record Query(String status, String channel, UUID notificationId, String userId, UUID cursor, int limit) {}

  /** A page: {@code {deliveries: [...], nextCursor}} ({@code nextCursor} null on the last page). */
  public Future<ObjectNode> list(String tenant, Query q) {
    List<Object> args = new ArrayList<>();
    StringBuilder where = new StringBuilder("true");
    filter(where, args, "tenant_id", tenant);
    filter(where, args, "state", q.status());
    filter(where, args, "delivery_channel", q.channel());
    filter(where, args, "notification_id", q.notificationId());
    filter(where, args, "recipient", q.userId());
    if (q.cursor() != null) {
      args.add(q.cursor());
      where.append(" and id < $").append(args.size());
    }
    args.add(q.limit() + 1);
    String sql = "select " + COLUMNS + " from delivery_job where " + where + " order by id desc limit $" + args.size();
    return pool.preparedQuery(sql).execute(Tuple.from(args)).compose(rows -> {
      List<Row> page = new ArrayList<>();
      rows.forEach(page::add);
      boolean more = page.size() > q.limit();
      List<Row> shown = more ? page.subList(0, q.limit()) : page;
      return attempts(shown).map(log -> {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode list = out.putArray("deliveries");
        shown.forEach(r -> list.add(view(r, log.getOrDefault(r.getUUID("id"), List.of()))));
        out.put("nextCursor", more ? shown.get(shown.size() - 1).getUUID("id").toString() : null);
        return out;
      });
    });
  }

  /** One job with its attempts; null when the tenant has none of that id. */
  public Future<ObjectNode> one(String tenant, UUID id) {
    List<Object> args = new ArrayList<>(List.of(id));
    StringBuilder where = new StringBuilder("id = $1");
    filter(where, args, "tenant_id", tenant);
    return pool.preparedQuery("select " + COLUMNS + " from delivery_job where " + where).execute(Tuple.from(args))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          Row r = rows.iterator().next();
          return attempts(List.of(r)).map(log -> view(r, log.getOrDefault(id, List.of())));
        });
  }

  /**
   * Runs a job again now, with a fresh retry schedule (its log keeps every earlier attempt): a
   * failed, skipped or cancelled one, or one waiting for a retry. Null when there is no such job;
   * 409 when it cannot be retried (delivered, running, held, pending).
   */
  public Future<ObjectNode> retry(String tenant, UUID id) {
    return change(tenant, id, "state in " + RETRYABLE, "state = 'pending', run_at = now(), attempts = 0, reason = null, "
        + "finished_at = null", "it is %s: only failed, skipped, cancelled or retrying jobs can be retried");
  }

  /** Cancels a job that has not run yet or waits for a retry; 409 otherwise. */
  public Future<ObjectNode> cancel(String tenant, UUID id) {
    return change(tenant, id, "state in " + CANCELLABLE, "state = 'cancelled', reason = 'cancelled by an operator', "
        + "finished_at = now()", "it is %s: only held, pending or retrying jobs can be cancelled");
  }

  /** Retries every job of {@code status} (failed, skipped or cancelled), of one channel when given; how many. */
  public Future<Integer> retryAll(String tenant, String status, String channel) {
    List<Object> args = new ArrayList<>(List.of(status));
    StringBuilder where = new StringBuilder("state = $1");
    filter(where, args, "tenant_id", tenant);
    filter(where, args, "delivery_channel", channel);
    return pool.preparedQuery("update delivery_job set state = 'pending', run_at = now(), attempts = 0, reason = null, "
            + "finished_at = null, updated_at = now() where " + where)
        .execute(Tuple.from(args)).map(r -> {
          if (r.rowCount() > 0) {
            wake.run();
          }
          return r.rowCount();
        });
  }

  private Future<ObjectNode> change(String tenant, UUID id, String allowed, String set, String refusal) {
    List<Object> args = new ArrayList<>(List.of(id));
    StringBuilder where = new StringBuilder("id = $1");
    filter(where, args, "tenant_id", tenant);
    return pool.preparedQuery("with u as (update delivery_job set " + set + ", updated_at = now() where " + where
            + " and " + allowed + " returning id) select (select count(*) from u) as changed, "
            + "(select state from delivery_job where " + where + ") as state")
        .execute(Tuple.from(args)).compose(rows -> {
          Row r = rows.iterator().next();
          if (r.getString("state") == null) {
            return Future.succeededFuture(null);
          }
          if (r.getLong("changed") == 0) {
            return Future.failedFuture(new InvalidRequest(409, "this delivery cannot be changed: "
                + refusal.formatted(r.getString("state")), List.of()));
          }
          wake.run();
          return one(tenant, id);
        });
  }

  private static void filter(StringBuilder where, List<Object> args, String column, Object value) {
    if (value != null) {
      args.add(value);
      where.append(" and ").append(column).append(" = $").append(args.size());
    }
  }

  /** The log rows of {@code jobs}, oldest first, by job. */
  private Future<Map<UUID, List<Row>>> attempts(List<Row> jobs) {
    if (jobs.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    UUID[] ids = jobs.stream().map(r -> r.getUUID("id")).toArray(UUID[]::new);
    return pool.preparedQuery("select job_id, created_at, status, error from delivery_log where job_id = any($1) and status <> 'released' "
            + "order by id").execute(Tuple.of(ids)).map(rows -> {
          Map<UUID, List<Row>> out = new HashMap<>();
          for (Row r : rows) {
            out.computeIfAbsent(r.getUUID("job_id"), k -> new ArrayList<>()).add(r);
          }
          return out;
        });
  }

  private static ObjectNode view(Row r, List<Row> log) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("id", r.getUUID("id").toString());
    o.put("notificationId", r.getUUID("notification_id") == null ? null : r.getUUID("notification_id").toString());
    o.put("userId", r.getString("recipient"));
    o.put("channel", r.getString("delivery_channel"));
    String state = r.getString("state");
    o.put("status", state);
    if (r.getString("reason") != null) {
      o.put("reason", r.getString("reason"));
    }
    o.put("attemptCount", r.getInteger("attempts"));
    ArrayNode attempts = o.putArray("attempts");
    for (Row l : log) {
      ObjectNode a = attempts.addObject().put("at", Timestamps.iso(l.getOffsetDateTime("created_at")))
          .put("status", l.getString("status"));
      if (l.getString("error") != null) {
        a.put("error", l.getString("error"));
      }
    }
    if (state.equals("pending") || state.equals("retrying") || state.equals("held")) {
      o.put("nextAttemptAt", Timestamps.iso(r.getOffsetDateTime("run_at")));
    }
    if (r.getString("target") != null) {
      o.put("target", r.getString("target"));
    }
    if (r.getString("event") != null) {
      o.put("event", r.getString("event"));
    }
    if (r.getUUID("endpoint_id") != null) {
      o.put("endpointId", r.getUUID("endpoint_id").toString());
    }
    if (r.getUUID("digest_id") != null) {
      // a digest's send job, or an item it gathered (skipped: digested)
      o.put("digestId", r.getUUID("digest_id").toString());
    }
    if (r.getString("last_error") != null) {
      o.put("lastError", r.getString("last_error"));
    }
    o.put("tenant", r.getString("tenant_id"));
    o.put("createdAt", Timestamps.iso(r.getOffsetDateTime("created_at")));
    o.put("updatedAt", Timestamps.iso(r.getOffsetDateTime("updated_at")));
    return o;
  }
}
