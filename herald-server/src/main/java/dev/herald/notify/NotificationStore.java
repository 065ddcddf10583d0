package dev.herald.notify;

import dev.herald.store.Uuids;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of durable notifications, on the reactive pool. Every statement is parameterised (no
 * value is ever spliced into SQL text) and scoped by tenant; the user-facing ones also by recipient,
 * so one user can neither see nor change another's notifications.
 *
 * <p>Sequences: a recipient's next sequence comes from an upsert on {@code recipient_sequence} in
 * the same statement that inserts the rows, which holds that row's lock until commit; so the
 * sequences of one recipient are gap-free per commit order and "after N" replays are exact.
 */
final class NotificationStore {
  private final Pool pool;

  NotificationStore(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  /** Inserts the rows of a create scheduled for later; {@link #releaseDue} releases them. */
  Future<List<Notification>> insertScheduled(SqlClient client, NotificationRequest r, UUID requestId,
      Map<String, RecipientPlan> plans) {
    int n = r.recipients().size();
    UUID[] ids = new UUID[n];
    Boolean[] live = new Boolean[n];
    String[] title = new String[n];
    String[] message = new String[n];
    String[] explain = new String[n];
    Jobs jobs = new Jobs();
    for (int i = 0; i < n; i++) {
      String to = r.recipients().get(i);
      RecipientPlan plan = plans.get(to);
      ids[i] = Uuids.v7();
      live[i] = plan.live();
      title[i] = plan.title();
      message[i] = plan.message();
      explain[i] = plan.explain();
      jobs.add(ids[i], r.tenant(), to, plan);
    }
    Tuple args = Tuple.tuple()
        .addString(r.tenant()).addArrayOfString(r.recipients().toArray(new String[0])).addArrayOfUUID(ids)
        .addString(r.type()).addArrayOfString(title).addArrayOfString(message).addString(r.channel())
        .addString(r.priority()).addString(r.dataJson()).addString(r.actionUrl()).addString(r.actor())
        .addString(r.resourceType()).addString(r.resourceId()).addBoolean(r.requiresAck()).addUUID(requestId)
        .addOffsetDateTime(r.scheduledAt()).addArrayOfBoolean(live).addArrayOfString(explain);
    jobs.addTo(args);
    return client.preparedQuery("with " + Jobs.INSERT.formatted(19, 20, 21, 22, 23, 24, 25, 26)
            + " insert into notification (id, tenant_id, recipient, seq, type, title, message, "
            + "channel, priority, status, data, action_url, actor, resource_type, resource_id, requires_ack, request_id, "
            + "scheduled_at, live, explain) select t.id, $1, t.recipient, null, $4, t.title, t.message, $7, $8, 'pending', "
            + "$9::text::jsonb, $10, $11, $12, $13, $14, $15, $16, t.live, t.explain::json "
            + "from unnest($2::text[], $3::uuid[], $17::bool[], $5::text[], $6::text[], $18::text[]) "
            + "as t(recipient, id, live, title, message, explain) "
            + "returning " + Notification.COLUMNS)
        .execute(args).map(NotificationStore::all);
  }

  /** The email and push jobs of one statement, as the arrays {@link #INSERT} unnests. */
  static final class Jobs {
    /** A CTE inserting the jobs; its parameter numbers are filled in with {@code formatted}. */
    static final String INSERT = "jobs as (insert into delivery_job (id, notification_id, tenant_id, recipient, "
        + "delivery_channel, state, run_at, locale) select * from unnest($%d::uuid[], $%d::uuid[], $%d::text[], "
        + "$%d::text[], $%d::text[], $%d::text[], $%d::timestamptz[], $%d::text[]))";
    private final List<UUID> id = new ArrayList<>();
    private final List<UUID> notification = new ArrayList<>();
    private final List<String> tenant = new ArrayList<>();
    private final List<String> recipient = new ArrayList<>();
    private final List<String> channel = new ArrayList<>();
    private final List<String> state = new ArrayList<>();
    private final List<OffsetDateTime> runAt = new ArrayList<>();
    private final List<String> locale = new ArrayList<>();

    void add(UUID notificationId, String tenantId, String to, RecipientPlan plan) {
      for (RecipientPlan.Job j : plan.jobs()) {
        id.add(j.id());
        notification.add(notificationId);
        tenant.add(tenantId);
        recipient.add(to);
        channel.add(j.deliveryChannel());
        state.add(j.state());
        runAt.add(j.runAt().atOffset(java.time.ZoneOffset.UTC));
        locale.add(j.locale());
      }
    }

    void addTo(Tuple args) {
      args.addArrayOfUUID(id.toArray(new UUID[0])).addArrayOfUUID(notification.toArray(new UUID[0]))
          .addArrayOfString(tenant.toArray(new String[0])).addArrayOfString(recipient.toArray(new String[0]))
          .addArrayOfString(channel.toArray(new String[0])).addArrayOfString(state.toArray(new String[0]))
          .addArrayOfOffsetDateTime(runAt.toArray(new OffsetDateTime[0])).addArrayOfString(locale.toArray(new String[0]));
    }
  }

  /** One create of a batch: the request, its id, and each recipient's plan. */
  record Pending(NotificationRequest request, UUID requestId, Map<String, RecipientPlan> plans) {}

  private static final String INSERT_RELEASED = "with t as (select * from unnest($1::text[], $2::text[], $3::uuid[], "
      + "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], "
      + "$13::text[], $14::text[], $15::bool[], $16::uuid[], $17::bool[], $18::text[]) with ordinality as t(tenant_id, "
      + "recipient, id, status, type, title, message, channel, priority, data, action_url, actor, resource_type, "
      + "resource_id, requires_ack, request_id, live, explain, ord)), "
      + Jobs.INSERT.formatted(19, 20, 21, 22, 23, 24, 25, 26) + ", "
      + "counts as (select tenant_id, recipient, count(*) as n from t group by tenant_id, recipient), "
      + "s as (insert into recipient_sequence as rs (tenant_id, recipient, last_seq) "
      + "  select tenant_id, recipient, n from counts order by tenant_id, recipient "
      + "  on conflict (tenant_id, recipient) do update set last_seq = rs.last_seq + excluded.last_seq "
      + "  returning tenant_id, recipient, last_seq), "
      + "numbered as (select t.*, s.last_seq - count(*) over w + row_number() over (w order by t.ord) as seq "
      + "  from t join s using (tenant_id, recipient) window w as (partition by t.tenant_id, t.recipient)) "
      + "insert into notification (id, tenant_id, recipient, seq, type, title, message, channel, priority, status, "
      + "data, action_url, actor, resource_type, resource_id, requires_ack, request_id, live, explain, released_at, "
      + "delivered_at) select id, tenant_id, recipient, seq, type, title, message, channel, priority, status, data::jsonb, "
      + "action_url, actor, resource_type, resource_id, requires_ack, request_id, live, explain::json, now(), null "
      + "from numbered order by ord "
      + "returning id, recipient, seq, status, created_at, released_at, delivered_at, request_id, live";

  /**
   * Inserts the notifications of several immediate creates in one statement (one commit for all of
   * them) and releases them with their sequences; several rows of one recipient get consecutive
   * sequences in request order. The rows come back in no particular order, built from the requests
   * and what PostgreSQL assigned (PostgreSQL returns only that, not the rows' content again); their
   * {@code data} is the request's own JSON text, where a later read returns jsonb's normal form.
   */
  Future<List<Notification>> insertReleased(SqlClient client, List<Pending> batch) {
    int rows = 0;
    for (Pending p : batch) {
      rows += p.request().recipients().size();
    }
    String[] tenant = new String[rows];
    String[] recipient = new String[rows];
    UUID[] id = new UUID[rows];
    String[] status = new String[rows];
    String[] type = new String[rows];
    String[] title = new String[rows];
    String[] message = new String[rows];
    String[] channel = new String[rows];
    String[] priority = new String[rows];
    String[] data = new String[rows];
    String[] actionUrl = new String[rows];
    String[] actor = new String[rows];
    String[] resourceType = new String[rows];
    String[] resourceId = new String[rows];
    Boolean[] requiresAck = new Boolean[rows];
    UUID[] requestId = new UUID[rows];
    Boolean[] live = new Boolean[rows];
    String[] explain = new String[rows];
    Jobs jobs = new Jobs();
    int i = 0;
    for (Pending p : batch) {
      NotificationRequest r = p.request();
      for (String to : r.recipients()) {
        RecipientPlan plan = p.plans().get(to);
        tenant[i] = r.tenant();
        recipient[i] = to;
        id[i] = Uuids.v7();
        live[i] = plan.live();
        explain[i] = plan.explain();
        jobs.add(id[i], r.tenant(), to, plan);
        // delivered only once a session had it written (DeliveryReceipts), never at insert
        status[i] = "pending";
        type[i] = r.type();
        title[i] = plan.title();
        message[i] = plan.message();
        channel[i] = r.channel();
        priority[i] = r.priority();
        data[i] = r.dataJson();
        actionUrl[i] = r.actionUrl();
        actor[i] = r.actor();
        resourceType[i] = r.resourceType();
        resourceId[i] = r.resourceId();
        requiresAck[i] = r.requiresAck();
        requestId[i] = p.requestId();
        i++;
      }
    }
    Tuple args = Tuple.tuple().addArrayOfString(tenant).addArrayOfString(recipient).addArrayOfUUID(id)
        .addArrayOfString(status).addArrayOfString(type).addArrayOfString(title).addArrayOfString(message)
        .addArrayOfString(channel).addArrayOfString(priority).addArrayOfString(data).addArrayOfString(actionUrl)
        .addArrayOfString(actor).addArrayOfString(resourceType).addArrayOfString(resourceId)
        .addArrayOfBoolean(requiresAck).addArrayOfUUID(requestId).addArrayOfBoolean(live).addArrayOfString(explain);
    jobs.addTo(args);
    Map<UUID, Pending> requests = new HashMap<>(batch.size() * 2);
    for (Pending p : batch) {
      requests.put(p.requestId(), p);
    }
    return client.preparedQuery(INSERT_RELEASED).execute(args).map(rowSet -> {
      List<Notification> out = new ArrayList<>(rowSet.size());
      for (Row row : rowSet) {
        UUID request = row.getUUID("request_id");
        Pending p = requests.get(request);
        NotificationRequest r = p.request();
        RecipientPlan plan = p.plans().get(row.getString("recipient"));
        out.add(new Notification(row.getUUID("id"), r.tenant(), row.getString("recipient"), row.getLong("seq"),
            r.type(), plan.title(), plan.message(), r.channel(), r.priority(), row.getString("status"), r.dataJson(),
            r.actionUrl(), r.actor(), r.resourceType(), r.resourceId(), r.requiresAck(), null,
            row.getOffsetDateTime("created_at"), row.getOffsetDateTime("released_at"),
            row.getOffsetDateTime("delivered_at"), null, null, null, request, row.getBoolean("live"), List.of()));
      }
      return out;
    });
  }

  /**
   * Releases up to {@code max} scheduled notifications that fell due: assigns their sequences and
   * returns them, in each recipient's order. Rows another node is releasing are skipped.
   */
  Future<List<Notification>> releaseDue(int max) {
    String sql = "with due as (select id, tenant_id, recipient, scheduled_at from notification "
        + "  where released_at is null and scheduled_at <= now() order by scheduled_at, id limit $1 for update skip locked), "
        + "counts as (select tenant_id, recipient, count(*) as n from due group by tenant_id, recipient), "
        + "s as (insert into recipient_sequence as rs (tenant_id, recipient, last_seq) "
        + "  select tenant_id, recipient, n from counts order by tenant_id, recipient "
        + "  on conflict (tenant_id, recipient) do update set last_seq = rs.last_seq + excluded.last_seq "
        + "  returning tenant_id, recipient, last_seq), "
        + "numbered as (select d.id, s.last_seq - count(*) over w + row_number() over (w order by d.scheduled_at, d.id) as seq "
        + "  from due d join s using (tenant_id, recipient) window w as (partition by d.tenant_id, d.recipient)) "
        + "update notification n set seq = numbered.seq, released_at = now() from numbered where n.id = numbered.id "
        + "returning " + prefixed("n");
    return pool.preparedQuery(sql).execute(Tuple.of(max)).map(rows -> {
      List<Notification> out = all(rows);
      out.sort(java.util.Comparator.comparing(Notification::tenant).thenComparing(Notification::recipient)
          .thenComparing(Notification::sequence));
      return out;
    });
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

  /** Marks read (and seen); null when the recipient has no such notification. */
  Future<Notification> markRead(String tenant, String recipient, UUID id) {
    return update(tenant, recipient, id, "read_at = coalesce(read_at, now()), seen_at = coalesce(seen_at, now()), "
        + "status = 'read'");
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
            + "returning 1) select count(*) from u")
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
    return pool.preparedQuery("with u as (update notification set delivered_at = coalesce(delivered_at, now()), "
            + "status = case when status = 'read' then status else 'delivered' end, "
            + "delivered_via = case when 'inApp' = any(delivered_via) then delivered_via "
            + "else array_append(delivered_via, 'inApp') end "
            + "where id = $1 and tenant_id = $2 and recipient = $3 and seq is not null returning " + Notification.COLUMNS
            + "), l as (insert into delivery_log (notification_id, tenant_id, channel, status, detail, delivered_at) "
            + "select id, tenant_id, 'in_app', 'acknowledged', 'acknowledged by the client', delivered_at from u) "
            + "select * from u")
        .execute(Tuple.of(id, tenant, recipient)).map(NotificationStore::first);
  }

  /**
   * Records in-app deliveries: each of {@code ids} still {@code pending} becomes {@code delivered},
   * with {@code inApp} in its {@code deliveredVia} and a delivery-log row naming the transport that
   * wrote it ({@code transports}, index for index). Rows already delivered, read or acked keep
   * their state. The number recorded.
   */
  Future<Integer> markWritten(List<UUID> ids, List<String> transports) {
    return pool.preparedQuery("with w as (select * from unnest($1::uuid[], $2::text[]) as w(id, transport)), "
            + "u as (update notification n set status = 'delivered', delivered_at = now(), "
            + "delivered_via = array_append(n.delivered_via, 'inApp') from w "
            + "where n.id = w.id and n.status = 'pending' and not n.requires_ack "
            + "returning n.id, n.tenant_id, n.delivered_at, w.transport), "
            + "l as (insert into delivery_log (notification_id, tenant_id, channel, status, detail, delivered_at) "
            + "select id, tenant_id, 'in_app', 'delivered', 'written to a ' || transport || ' session', delivered_at from u) "
            + "select count(*) from u")
        .execute(Tuple.tuple().addArrayOfUUID(ids.toArray(new UUID[0])).addArrayOfString(transports.toArray(new String[0])))
        .map(r -> r.iterator().next().getLong(0).intValue());
  }

  /**
   * Moves email and push jobs whose quiet hours ended by {@code now} from held to pending, each with
   * a delivery-log entry; the number released. Jobs another node is releasing are skipped.
   */
  Future<Integer> releaseHeld(OffsetDateTime now, int max) {
    return pool.preparedQuery("with due as (select id from delivery_job where state = 'held' and run_at <= $1 "
            + "order by run_at limit $2 for update skip locked), "
            + "u as (update delivery_job j set state = 'pending', updated_at = now() from due where j.id = due.id "
            + "returning j.notification_id, j.tenant_id, j.delivery_channel, j.run_at), "
            + "l as (insert into delivery_log (notification_id, tenant_id, channel, status, detail) "
            + "select notification_id, tenant_id, delivery_channel, 'released', "
            + "'held for quiet hours until ' || to_char(run_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from u) "
            + "select count(*) from u")
        .execute(Tuple.of(now, max)).map(r -> r.iterator().next().getLong(0).intValue());
  }

  /**
   * The operator's view of notification {@code id} in {@code tenant} (any tenant when null): the
   * notification with its recipient and explanation, its email and push jobs, and its delivery
   * log. Null when there is no such notification.
   */
  Future<com.fasterxml.jackson.databind.node.ObjectNode> adminView(String tenant, UUID id) {
    Tuple args = tenant == null ? Tuple.of(id) : Tuple.of(id, tenant);
    Future<RowSet<Row>> row = pool.preparedQuery("select " + Notification.COLUMNS + ", explain::text as explain_json "
            + "from notification where id = $1" + (tenant == null ? "" : " and tenant_id = $2"))
        .execute(args);
    Future<RowSet<Row>> jobs = pool.preparedQuery("select id, delivery_channel, state, run_at, locale, attempts, "
            + "created_at, updated_at from delivery_job where notification_id = $1 order by delivery_channel")
        .execute(Tuple.of(id));
    Future<RowSet<Row>> log = pool.preparedQuery("select channel, status, detail, attempt_count, delivered_at, created_at "
            + "from delivery_log where notification_id = $1 order by id")
        .execute(Tuple.of(id));
    return Future.all(row, jobs, log).map(v -> {
      var it = row.result().iterator();
      if (!it.hasNext()) {
        return null;
      }
      Row r = it.next();
      Notification n = Notification.of(r);
      var json = new com.fasterxml.jackson.databind.ObjectMapper();
      com.fasterxml.jackson.databind.node.ObjectNode out = json.createObjectNode();
      try {
        out.set("notification", json.readTree(n.toJson()));
        out.set("explain", r.getString("explain_json") == null ? null : json.readTree(r.getString("explain_json")));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("a stored notification is not JSON", e);
      }
      out.put("tenant", n.tenant()).put("recipient", n.recipient()).put("live", n.live());
      if (n.sequence() == null) {
        out.putNull("sequence");
      } else {
        out.put("sequence", n.sequence());
      }
      var deliveries = out.putArray("deliveries");
      for (Row j : jobs.result()) {
        deliveries.addObject().put("id", j.getUUID(0).toString()).put("deliveryChannel", j.getString(1))
            .put("state", j.getString(2)).put("runAt", Notification.iso(j.getOffsetDateTime(3)))
            .put("locale", j.getString(4).isEmpty() ? null : j.getString(4)).put("attempts", j.getInteger(5))
            .put("createdAt", Notification.iso(j.getOffsetDateTime(6)))
            .put("updatedAt", Notification.iso(j.getOffsetDateTime(7)));
      }
      var entries = out.putArray("deliveryLog");
      for (Row l : log.result()) {
        entries.addObject().put("channel", l.getString(0)).put("status", l.getString(1)).put("detail", l.getString(2))
            .put("attempts", l.getInteger(3))
            .put("deliveredAt", l.getOffsetDateTime(4) == null ? null : Notification.iso(l.getOffsetDateTime(4)))
            .put("at", Notification.iso(l.getOffsetDateTime(5)));
      }
      return out;
    });
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

  private static String prefixed(String alias) {
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

  private static List<Notification> all(RowSet<Row> rows) {
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
