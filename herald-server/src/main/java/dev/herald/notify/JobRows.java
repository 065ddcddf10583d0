package dev.herald.notify;

import dev.herald.store.Uuids;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
final class JobRows {
  /** The columns of the unnested rows, in parameter order, with their array types. */
  private static final String[][] COLUMNS = {{"id", "uuid"}, {"notification", "uuid"}, {"tenant", "text"},
      {"recipient", "text"}, {"channel", "text"}, {"state", "text"}, {"run_at", "timestamptz"}, {"locale", "text"},
      {"condition", "text"}, {"event", "text"}, {"record_unreached", "bool"}, {"reason", "text"},
      {"digest_key", "text"}, {"digest_due", "timestamptz"}, {"digest_max", "int4"}, {"digest_template", "text"},
      {"digest_state", "text"}, {"digest_run_at", "timestamptz"}};
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
