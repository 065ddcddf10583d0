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
    Jobs jobs = new Jobs();
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
    return client.preparedQuery("with " + Jobs.insert(19)
            + " insert into notification (id, tenant_id, recipient, seq, type, title, message, "
            + "channel, priority, status, data, action_url, actor, resource_type, resource_id, requires_ack, request_id, "
            + "scheduled_at, live, explain) select t.id, $1, t.recipient, null, $4, t.title, t.message, $7, $8, 'pending', "
            + "$9::text::jsonb, $10, $11, $12, $13, $14, $15, $16, t.live, t.explain::json "
            + "from unnest($2::text[], $3::uuid[], $17::bool[], $5::text[], $6::text[], $18::text[]) "
            + "as t(recipient, id, live, title, message, explain) "
            + "returning " + Notification.COLUMNS)
        .execute(args).map(NotificationStore::all);
  }

  /**
   * The email, push and webhook jobs of one statement, as the arrays {@link #insert} unnests. A
   * {@code webhook} row becomes one job per enabled endpoint of its tenant subscribed to its event
   * (contract: "events omitted: all"), none when there is none; a {@code push} row one job per
   * subscription of the recipient (V9), or one that ends {@code skipped: no-subscription} at once
   * when there is none; those jobs get time-ordered ids (UUIDv7 from PostgreSQL's clock, as
   * {@link Uuids#v7} makes them) since the operator's list pages by id.
   *
   * <p>Digests (V10): a row {@code skipped: digested} joins the recipient's open digest of its
   * channel and key, or opens one, whose send job (one per push subscription) is inserted due at
   * the digest's time; the upsert takes the digest's row lock, so a digest being closed by its
   * send's claim (JobQueue) waits for this commit or is closed already, and the row then opens the
   * next one. A push row for a recipient without a subscription joins no digest.
   */
  static final class Jobs {
    /** The columns of the unnested rows, in parameter order, with their array types. */
    private static final String[][] COLUMNS = {{"id", "uuid"}, {"notification", "uuid"}, {"tenant", "text"},
        {"recipient", "text"}, {"channel", "text"}, {"state", "text"}, {"run_at", "timestamptz"}, {"locale", "text"},
        {"condition", "text"}, {"event", "text"}, {"record_unreached", "bool"}, {"reason", "text"},
        {"digest_key", "text"}, {"digest_due", "timestamptz"}, {"digest_max", "int4"}, {"digest_template", "text"},
        {"digest_state", "text"}, {"digest_run_at", "timestamptz"}};
    /** How many parameters {@link #insert} takes. */
    static final int PARAMETERS = COLUMNS.length;
    /** A push row (not digested) due now whose recipient has no subscription. */
    private static final String NO_SUBSCRIPTION = "(j.channel = 'push' and j.digest_key is null and s.id is null "
        + "and j.state = 'pending')";
    /** A digested push row whose recipient has no subscription: no digest to join. */
    private static final String DIGEST_UNREACHED = "(j.digest_key is not null and dg.id is null)";
    /** A push to a recipient without a subscription that nobody asked for by name: no row. */
    private static final String UNREACHED_UNASKED = "(j.channel = 'push' and s.id is null and dg.id is null "
        + "and not j.record_unreached and j.state <> 'skipped' or " + DIGEST_UNREACHED + " and not j.record_unreached)";
    private static final String HAS_SUBSCRIPTION = "exists (select 1 from push_subscription s0 "
        + "where s0.tenant_id = r.tenant and s0.user_id = r.recipient)";

    /** The CTEs inserting the jobs (and digests), for arrays from parameter {@code $first} on. */
    static String insert(int first) {
      StringBuilder arrays = new StringBuilder();
      StringBuilder names = new StringBuilder();
      for (int i = 0; i < COLUMNS.length; i++) {
        arrays.append(i == 0 ? "" : ", ").append('$').append(first + i).append("::").append(COLUMNS[i][1]).append("[]");
        names.append(i == 0 ? "" : ", ").append(COLUMNS[i][0]);
      }
      return "jr as (select * from unnest(" + arrays + ") as r(" + names + ")), "
          // one row per digest this statement touches, with how many items it brings
          + "dk as (select distinct on (tenant, recipient, channel, digest_key) tenant, recipient, channel, digest_key, "
          + "  digest_due, digest_max, digest_template, digest_state, digest_run_at, locale, "
          + "  count(*) over (partition by tenant, recipient, channel, digest_key) as n from jr r "
          + "  where digest_key is not null and (channel <> 'push' or " + HAS_SUBSCRIPTION + ") "
          + "  order by tenant, recipient, channel, digest_key, digest_due), "
          + "dg as (insert into digest as g (id, tenant_id, recipient, delivery_channel, key, due_at, max_items, template, "
          + "  item_count) select herald_uuid_v7(), tenant, recipient, channel, digest_key, digest_due, digest_max, "
          + "  digest_template, n from dk order by tenant, recipient, channel, digest_key "
          + "  on conflict (tenant_id, recipient, delivery_channel, key) where state = 'open' "
          + "  do update set item_count = g.item_count + excluded.item_count "
          + "  returning g.id, g.tenant_id, g.recipient, g.delivery_channel, g.key, (g.xmax = 0) as opened), "
          // a digest opened here gets its send job(s), due at its time
          + "ds as (insert into delivery_job (id, notification_id, tenant_id, recipient, delivery_channel, state, run_at, "
          + "  locale, digest_id, subscription_id) select herald_uuid_v7(), null, dg.tenant_id, dg.recipient, "
          + "  dg.delivery_channel, dk.digest_state, dk.digest_run_at, dk.locale, dg.id, s.id from dg "
          + "  join dk on dk.tenant = dg.tenant_id and dk.recipient = dg.recipient and dk.channel = dg.delivery_channel "
          + "  and dk.digest_key = dg.key "
          + "  left join push_subscription s on dg.delivery_channel = 'push' and s.tenant_id = dg.tenant_id "
          + "  and s.user_id = dg.recipient where dg.opened), "
          + "jobs as (insert into delivery_job (id, notification_id, tenant_id, recipient, "
          + "delivery_channel, state, run_at, locale, condition, event, endpoint_id, subscription_id, reason, finished_at, "
          + "digest_id) "
          + "select case when j.channel in ('webhook', 'push') then herald_uuid_v7() else j.id end, "
          + "j.notification, j.tenant, j.recipient, j.channel, "
          // a push due now to a recipient without a subscription ends here (contract: skipped: no-subscription);
          // a held one waits, and is judged when released
          + "case when " + NO_SUBSCRIPTION + " or " + DIGEST_UNREACHED + " then 'skipped' else j.state end, "
          + "j.run_at, j.locale, j.condition, j.event, e.id, s.id, "
          + "case when " + NO_SUBSCRIPTION + " or " + DIGEST_UNREACHED + " then 'no-subscription' else j.reason end, "
          + "case when " + NO_SUBSCRIPTION + " or " + DIGEST_UNREACHED + " or j.state = 'skipped' then now() end, dg.id "
          + "from jr j "
          + "left join webhook_endpoint e on j.channel = 'webhook' and e.tenant_id = j.tenant and e.enabled "
          + "and (e.events is null or j.event = any(e.events)) "
          // digested and throttled rows are one row each, not one per subscription
          + "left join push_subscription s on j.channel = 'push' and j.digest_key is null and j.state <> 'skipped' "
          + "and s.tenant_id = j.tenant and s.user_id = j.recipient "
          + "left join dg on j.digest_key is not null and dg.tenant_id = j.tenant and dg.recipient = j.recipient "
          + "and dg.delivery_channel = j.channel and dg.key = j.digest_key "
          + "where (j.channel <> 'webhook' or e.id is not null) and not " + UNREACHED_UNASKED + ")";
    }

    private final List<UUID> id = new ArrayList<>();
    private final List<UUID> notification = new ArrayList<>();
    private final List<String> tenant = new ArrayList<>();
    private final List<String> recipient = new ArrayList<>();
    private final List<String> channel = new ArrayList<>();
    private final List<String> state = new ArrayList<>();
    private final List<OffsetDateTime> runAt = new ArrayList<>();
    private final List<String> locale = new ArrayList<>();
    private final List<String> condition = new ArrayList<>();
    private final List<String> event = new ArrayList<>();
    private final List<Boolean> recordUnreached = new ArrayList<>();
    private final List<String> reason = new ArrayList<>();
    private final List<String> digestKey = new ArrayList<>();
    private final List<OffsetDateTime> digestDue = new ArrayList<>();
    private final List<Integer> digestMax = new ArrayList<>();
    private final List<String> digestTemplate = new ArrayList<>();
    private final List<String> digestState = new ArrayList<>();
    private final List<OffsetDateTime> digestRunAt = new ArrayList<>();

    void add(UUID notificationId, String tenantId, String to, RecipientPlan plan) {
      for (RecipientPlan.Job j : plan.jobs()) {
        id.add(j.id());
        notification.add(notificationId);
        tenant.add(tenantId);
        recipient.add(to);
        channel.add(j.deliveryChannel());
        state.add(j.state());
        runAt.add(utc(j.runAt()));
        locale.add(j.locale());
        condition.add(j.condition());
        event.add(j.event());
        recordUnreached.add(j.recordUnreached());
        reason.add(j.reason());
        RecipientPlan.Digest d = j.digested() ? j.digest() : null;
        digestKey.add(d == null ? null : d.rule().key());
        digestDue.add(d == null ? null : utc(d.rule().dueAt()));
        digestMax.add(d == null ? null : d.rule().maxItems());
        digestTemplate.add(d == null ? null : d.rule().template());
        digestState.add(d == null ? null : d.sendState());
        digestRunAt.add(d == null ? null : utc(d.sendAt()));
      }
    }

    private static OffsetDateTime utc(java.time.Instant t) {
      return t.atOffset(java.time.ZoneOffset.UTC);
    }

    void addTo(Tuple args) {
      args.addArrayOfUUID(id.toArray(new UUID[0])).addArrayOfUUID(notification.toArray(new UUID[0]))
          .addArrayOfString(tenant.toArray(new String[0])).addArrayOfString(recipient.toArray(new String[0]))
          .addArrayOfString(channel.toArray(new String[0])).addArrayOfString(state.toArray(new String[0]))
          .addArrayOfOffsetDateTime(runAt.toArray(new OffsetDateTime[0])).addArrayOfString(locale.toArray(new String[0]))
          .addArrayOfString(condition.toArray(new String[0])).addArrayOfString(event.toArray(new String[0]))
          .addArrayOfBoolean(recordUnreached.toArray(new Boolean[0])).addArrayOfString(reason.toArray(new String[0]))
          .addArrayOfString(digestKey.toArray(new String[0]))
          .addArrayOfOffsetDateTime(digestDue.toArray(new OffsetDateTime[0]))
          .addArrayOfInteger(digestMax.toArray(new Integer[0])).addArrayOfString(digestTemplate.toArray(new String[0]))
          .addArrayOfString(digestState.toArray(new String[0]))
          .addArrayOfOffsetDateTime(digestRunAt.toArray(new OffsetDateTime[0]));
    }
  }

  /** One create of a batch: the request, its id, and each recipient's plan. */
  record Pending(NotificationRequest request, UUID requestId, Map<String, RecipientPlan> plans) {}

  private static final String INSERT_RELEASED = "with t as (select * from unnest($1::text[], $2::text[], $3::uuid[], "
      + "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], "
      + "$13::text[], $14::text[], $15::bool[], $16::uuid[], $17::bool[], $18::text[]) with ordinality as t(tenant_id, "
      + "recipient, id, status, type, title, message, channel, priority, data, action_url, actor, resource_type, "
      + "resource_id, requires_ack, request_id, live, explain, ord)), "
      + Jobs.insert(19) + ", "
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
