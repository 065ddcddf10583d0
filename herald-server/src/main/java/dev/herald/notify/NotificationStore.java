package dev.herald.notify;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of stored notifications, on the reactive pool: history, read state, acks, delivery
 * receipts, held jobs and the delivery log ({@link NotificationInserts} creates and releases them).
 * Every statement is parameterised (no value is ever spliced into SQL text) and scoped by tenant;
 * the user-facing ones also by recipient, so one user can neither see nor change another's.
 */
final class NotificationStore {
  private final Pool pool;

  NotificationStore(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  Future<History.Page> page(String tenant, String recipient, History.Query q) {
    StringBuilder where = new StringBuilder("tenant_id = $1 and recipient = $2 and seq is not null");
    Tuple args = Tuple.of(tenant, recipient);
    if (q.status() != null) {
      args.addString(q.status());
      where.append(" and status = $").append(args.size());
    }
    if (q.channel() != null) {
      args.addString(q.channel());
      where.append(" and channel = $").append(args.size());
    }
    if (q.type() != null) {
      args.addString(q.type());
      where.append(" and type = $").append(args.size());
    }
    if (q.unread() != null) {
      where.append(q.unread() ? " and read_at is null" : " and read_at is not null");
    }
    switch (q.archived() == null ? "false" : q.archived()) {
      case "true" -> where.append(" and archived_at is not null");
      case "all" -> { }
      default -> where.append(" and archived_at is null");
    }
    String filter = where.toString();
    Tuple countArgs = Tuple.tuple();
    for (int i = 0; i < args.size(); i++) {
      countArgs.addValue(args.getValue(i));
    }
    StringBuilder select = new StringBuilder("select ").append(Notification.COLUMNS)
        .append(" from notification where ").append(filter);
    if (q.before() != null) {
      args.addLong(q.before());
      select.append(" and seq < $").append(args.size());
    }
    args.addInteger(q.limit());
    select.append(" order by seq desc limit $").append(args.size());
    if (q.before() == null && q.offset() > 0) {
      args.addInteger(q.offset());
      select.append(" offset $").append(args.size());
    }
    Future<List<Notification>> rows = pool.preparedQuery(select.toString()).execute(args).map(NotificationStore::all);
    Future<Long> total = pool.preparedQuery("select count(*) from notification where " + filter)
        .execute(countArgs).map(r -> r.iterator().next().getLong(0));
    return Future.all(rows, total).map(v -> new History.Page(rows.result(), total.result()));
  }

  Future<Notification> one(String tenant, String recipient, UUID id) {
    return pool.preparedQuery("select " + Notification.COLUMNS + " from notification "
            + "where id = $1 and tenant_id = $2 and recipient = $3 and seq is not null")
        .execute(Tuple.of(id, tenant, recipient)).map(NotificationStore::first);
  }

  /** Notifications released to the recipient after {@code sequence}, oldest first. */
  Future<List<Notification>> after(String tenant, String recipient, long sequence, int limit) {
    return pool.preparedQuery("select " + Notification.COLUMNS + " from notification "
            + "where tenant_id = $1 and recipient = $2 and seq > $3 and live order by seq limit $4")
        .execute(Tuple.of(tenant, recipient, sequence, limit)).map(NotificationStore::all);
  }

  /** Notifications released to the recipient after {@code time}, oldest first. */
  Future<List<Notification>> releasedAfter(String tenant, String recipient, OffsetDateTime time, int limit) {
    return pool.preparedQuery("select " + Notification.COLUMNS + " from notification "
            + "where tenant_id = $1 and recipient = $2 and seq is not null and live and released_at >= $3::timestamptz + interval '1 millisecond' order by seq limit $4")
        .execute(Tuple.of(tenant, recipient, time, limit)).map(NotificationStore::all);
  }

  /**
   * A CTE {@code w} making the {@code notification.delivered} webhook event (V8) of the notifications
   * its query selects: those delivered now for the first time on any channel but webhooks.
   */
  private static final String FIRST_DELIVERY_EVENT =
      "w as (select herald_webhook_event(array(%s), 'notification.delivered') as e) ";

  /** Marks read (and seen); null when the recipient has no such notification. */
  Future<Notification> markRead(String tenant, String recipient, UUID id) {
    // the first read is a webhook event (V8) for the endpoints that follow this notification
    return pool.preparedQuery("with old as (select id, read_at from notification where id = $1 and tenant_id = $2 "
            + "and recipient = $3 and seq is not null), "
            + "u as (update notification set read_at = coalesce(read_at, now()), seen_at = coalesce(seen_at, now()), "
            + "status = 'read' where id = $1 and tenant_id = $2 and recipient = $3 and seq is not null returning "
            + Notification.COLUMNS + "), "
            + "w as (select herald_webhook_event(array(select id from old where read_at is null), 'notification.read') as e) "
            + "select u.* from u, w")
        .execute(Tuple.of(id, tenant, recipient)).map(NotificationStore::first);
  }

  Future<Notification> markSeen(String tenant, String recipient, UUID id) {
    return update(tenant, recipient, id, "seen_at = coalesce(seen_at, now())");
  }

  Future<Notification> archive(String tenant, String recipient, UUID id, boolean archived) {
    return update(tenant, recipient, id, archived ? "archived_at = coalesce(archived_at, now())" : "archived_at = null");
  }

  /** Marks every unread notification of the recipient read; the number marked. */
  Future<Long> markAllRead(String tenant, String recipient) {
    return pool.preparedQuery("with u as (update notification set read_at = now(), seen_at = coalesce(seen_at, now()), "
            + "status = 'read' where tenant_id = $1 and recipient = $2 and seq is not null and read_at is null "
            + "returning id), "
            + "w as (select herald_webhook_event(array(select id from u), 'notification.read') as e) "
            + "select count(*) from u, w")
        .execute(Tuple.of(tenant, recipient)).map(r -> r.iterator().next().getLong(0));
  }

  Future<Long> unreadCount(String tenant, String recipient) {
    return pool.preparedQuery("select count(*) from notification where tenant_id = $1 and recipient = $2 "
            + "and seq is not null and read_at is null and archived_at is null")
        .execute(Tuple.of(tenant, recipient)).map(r -> r.iterator().next().getLong(0));
  }

  /** Deletes; false when the recipient has no such notification. */
  Future<Boolean> delete(String tenant, String recipient, UUID id) {
    return pool.preparedQuery("delete from notification where id = $1 and tenant_id = $2 and recipient = $3 "
            + "and seq is not null")
        .execute(Tuple.of(id, tenant, recipient)).map(r -> r.rowCount() > 0);
  }

  /**
   * Records the recipient's acknowledgement: status {@code delivered} (unless already read), the
   * delivery time, and a delivery-log entry. Null when the recipient has no such notification.
   */
  Future<Notification> acknowledge(String tenant, String recipient, UUID id) {
    return pool.preparedQuery("with old as (select id, delivered_via from notification where id = $1 and tenant_id = $2 "
            + "and recipient = $3 and seq is not null), "
            + "u as (update notification set delivered_at = coalesce(delivered_at, now()), "
            + "status = case when status = 'read' then status else 'delivered' end, "
            + "delivered_via = case when 'inApp' = any(delivered_via) then delivered_via "
            + "else array_append(delivered_via, 'inApp') end "
            + "where id = $1 and tenant_id = $2 and recipient = $3 and seq is not null returning " + Notification.COLUMNS
            + "), l as (insert into delivery_log (notification_id, tenant_id, channel, status, detail, delivered_at) "
            + "select id, tenant_id, 'in_app', 'acknowledged', 'acknowledged by the client', delivered_at from u), "
            + FIRST_DELIVERY_EVENT.formatted("select id from old where not (delivered_via && array['inApp', 'email', 'push'])")
            + "select u.* from u, w")
        .execute(Tuple.of(id, tenant, recipient)).map(NotificationStore::first);
  }

  /**
   * Records in-app deliveries: each of {@code ids} still {@code pending} (and not waiting for an
   * ack) becomes {@code delivered} now, with {@code inApp} in its {@code deliveredVia}. Rows already
   * delivered, read or acked keep their state. The number recorded.
   *
   * <p>A receipt lost to a crash leaves its notification pending (under-reported, never invented),
   * so the commit does not wait for its WAL flush. The update is a HOT one (V6's fillfactor): no
   * index changes.
   */
  Future<Integer> markWritten(List<UUID> ids) {
    return pool.withTransaction(tx -> tx.query("set local synchronous_commit = off").execute()
        .compose(v -> tx.preparedQuery("with u as (update notification set status = 'delivered', "
                + "delivered_at = now(), delivered_via = array_append(delivered_via, 'inApp') "
                + "where id = any($1::uuid[]) and status = 'pending' and not requires_ack returning id, delivered_via), "
                + FIRST_DELIVERY_EVENT.formatted("select id from u where not (delivered_via && array['email', 'push'])")
                + "select count(*) from u, w")
            .execute(Tuple.of(ids.toArray(new UUID[0])))
            .map(r -> r.iterator().next().getLong(0).intValue())));
  }

  /**
   * Moves email and push jobs whose quiet hours ended by {@code now} from held to pending, each with
   * a delivery-log entry; the number released. Jobs another node is releasing are skipped.
   */
  Future<Integer> releaseHeld(OffsetDateTime now, int max) {
    return pool.preparedQuery("with due as (select id from delivery_job where state = 'held' and run_at <= $1 "
            + "order by run_at limit $2 for update skip locked), "
            + "u as (update delivery_job j set state = 'pending', updated_at = now() from due where j.id = due.id "
            + "returning j.id, j.notification_id, j.tenant_id, j.delivery_channel, j.run_at), "
            + "l as (insert into delivery_log (job_id, notification_id, tenant_id, channel, status, detail) "
            + "select id, notification_id, tenant_id, delivery_channel, 'released', "
            + "'held for quiet hours until ' || to_char(run_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from u) "
            + "select count(*) from u")
        .execute(Tuple.of(now, max)).map(r -> r.iterator().next().getLong(0).intValue());
  }

  /** A delivery-log entry for {@code id}. */
  Future<Void> log(UUID id, String tenant, String channel, String status, String detail, int attempts) {
    return pool.preparedQuery("insert into delivery_log (notification_id, tenant_id, channel, status, detail, attempt_count) "
            + "values ($1, $2, $3, $4, $5, $6)")
        .execute(Tuple.of(id, tenant, channel, status, detail, attempts)).mapEmpty();
  }

  private Future<Notification> update(String tenant, String recipient, UUID id, String set) {
    return pool.preparedQuery("update notification set " + set
            + " where id = $1 and tenant_id = $2 and recipient = $3 and seq is not null returning " + Notification.COLUMNS)
        .execute(Tuple.of(id, tenant, recipient)).map(NotificationStore::first);
  }

  static String prefixed(String alias) {
    StringBuilder b = new StringBuilder();
    for (String col : Notification.COLUMNS.split(", ")) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(alias).append('.').append(col);
    }
    return b.toString();
  }

  /** {@code rows} ordered by recipient: the order answers list them in. */
  static List<Notification> byRecipient(List<Notification> rows) {
    List<Notification> sorted = new ArrayList<>(rows);
    sorted.sort(java.util.Comparator.comparing(Notification::recipient));
    return sorted;
  }

  static List<Notification> all(RowSet<Row> rows) {
    List<Notification> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(Notification.of(r));
    }
    return out;
  }

  private static Notification first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Notification.of(it.next()) : null;
  }
}
