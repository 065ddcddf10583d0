package dev.herald.notify;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import dev.herald.store.Uuids;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The SQL that brings notifications into being: the rows of creates (many creates in one statement)
 * with their delivery jobs, and the release of scheduled ones when they fall due. Every statement is
 * parameterised; nothing is spliced into SQL text.
 *
 * <p>Sequences: a recipient's next sequence comes from an upsert on {@code recipient_sequence} in
 * the same statement that inserts the rows, which holds that row's lock until commit; so the
 * sequences of one recipient are gap-free per commit order and "after N" replays are exact.
 */
final class NotificationInserts {
  private final Pool pool;

  NotificationInserts(Pool pool) {
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
    JobRows jobs = new JobRows();
    for (int i = 0; i < n; i++) {
      String to = r.recipients().get(i);
      RecipientPlan plan = plans.get(to);
      ids[i] = Uuids.v7();
      live[i] = plan.live();
      title[i] = plan.title();
      message[i] = plan.message();
      explain[i] = plan.explainJson();
      jobs.add(ids[i], r.tenant(), to, plan);
    }
    Tuple args = Tuple.tuple()
        .addString(r.tenant()).addArrayOfString(r.recipients().toArray(new String[0])).addArrayOfUUID(ids)
        .addString(r.type()).addArrayOfString(title).addArrayOfString(message).addString(r.channel())
        .addString(r.priority()).addString(r.dataJson()).addString(r.actionUrl()).addString(r.actor())
        .addString(r.resourceType()).addString(r.resourceId()).addBoolean(r.requiresAck()).addUUID(requestId)
        .addOffsetDateTime(r.scheduledAt()).addArrayOfBoolean(live).addArrayOfString(explain);
    jobs.addTo(args);
    return client.preparedQuery("with " + JobRows.insert(19)
            + " insert into notification (id, tenant_id, recipient, seq, type, title, message, "
            + "channel, priority, status, data, action_url, actor, resource_type, resource_id, requires_ack, request_id, "
            + "scheduled_at, live, explain) select t.id, $1, t.recipient, null, $4, t.title, t.message, $7, $8, 'pending', "
            + "$9::text::jsonb, $10, $11, $12, $13, $14, $15, $16, t.live, t.explain::json "
            + "from unnest($2::text[], $3::uuid[], $17::bool[], $5::text[], $6::text[], $18::text[]) "
            + "as t(recipient, id, live, title, message, explain) "
            + "returning " + Notification.COLUMNS)
        .execute(args).map(NotificationStore::all);
  }

  /** One create of a batch: the request, its id, and each recipient's plan. */
  record Pending(NotificationRequest request, UUID requestId, Map<String, RecipientPlan> plans) {}

  private static final String INSERT_RELEASED = "with t as (select * from unnest($1::text[], $2::text[], $3::uuid[], "
      + "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], "
      + "$13::text[], $14::text[], $15::bool[], $16::uuid[], $17::bool[], $18::text[]) with ordinality as t(tenant_id, "
      + "recipient, id, status, type, title, message, channel, priority, data, action_url, actor, resource_type, "
      + "resource_id, requires_ack, request_id, live, explain, ord)), "
      + JobRows.insert(19) + ", "
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
    JobRows jobs = new JobRows();
    int i = 0;
    for (Pending p : batch) {
      NotificationRequest r = p.request();
      for (String to : r.recipients()) {
        RecipientPlan plan = p.plans().get(to);
        tenant[i] = r.tenant();
        recipient[i] = to;
        id[i] = Uuids.v7();
        live[i] = plan.live();
        explain[i] = plan.explainJson();
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
        + "returning " + NotificationStore.prefixed("n");
    return pool.preparedQuery(sql).execute(Tuple.of(max)).map(rows -> {
      List<Notification> out = NotificationStore.all(rows);
      out.sort(java.util.Comparator.comparing(Notification::tenant).thenComparing(Notification::recipient)
          .thenComparing(Notification::sequence));
      return out;
    });
  }
}
