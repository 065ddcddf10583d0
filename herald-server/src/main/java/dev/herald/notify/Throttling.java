package dev.herald.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.types.TypeDefinition;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A type's {@code throttle: {max, per}} (contract part 2, "Notification types"): "beyond max
 * email/push messages of this type per recipient within per, the rest go to the next digest (or
 * are skipped: throttled when the type has no digest)". Before a create's insert, its jobs that
 * count against the throttle reserve a place in their recipient's window ({@code throttle_window},
 * V10): one row per recipient, delivery channel and type, whose lock orders concurrent creates on
 * any node. A window opens with the first message and lasts {@code per}. A job beyond the limit
 * is turned into its digest's item or {@code skipped: throttled}, and the explanation stored with
 * the notification says which, and that the throttle did it.
 *
 * <p>A reservation is not given back when the create then fails: the throttle errs on the side of
 * sending less. Threads: any event loop; asynchronous.
 */
final class Throttling {
  private static final String RESERVE = "insert into throttle_window as w (tenant_id, recipient, delivery_channel, "
      + "type, window_start, sent) select $1, k.recipient, k.channel, $2, now(), 1 "
      + "from unnest($3::text[], $4::text[]) as k(recipient, channel) order by k.recipient, k.channel "
      + "on conflict (tenant_id, recipient, delivery_channel, type) do update set "
      + "window_start = case when w.window_start + make_interval(secs => $5) <= now() then now() else w.window_start end, "
      + "sent = case when w.window_start + make_interval(secs => $5) <= now() then 1 else least(w.sent + 1, $6 + 1) end "
      + "returning recipient, delivery_channel, sent";

  private final Pool pool;

  Throttling(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code plans} with every throttled job either let through or sent beyond its limit; the same
   * map, unchanged, when no job counts against a throttle.
   */
  Future<Map<String, RecipientPlan>> apply(String tenant, String type, Map<String, RecipientPlan> plans) {
    List<String> recipients = new ArrayList<>();
    List<String> channels = new ArrayList<>();
    TypeDefinition.Throttle throttle = null;
    for (Map.Entry<String, RecipientPlan> e : plans.entrySet()) {
      for (RecipientPlan.Job j : e.getValue().jobs()) {
        if (j.throttle() != null) {
          throttle = j.throttle();
          recipients.add(e.getKey());
          channels.add(j.deliveryChannel());
        }
      }
    }
    if (throttle == null) {
      return Future.succeededFuture(plans);
    }
    TypeDefinition.Throttle limit = throttle;
    Tuple args = Tuple.tuple().addString(tenant).addString(type)
        .addArrayOfString(recipients.toArray(new String[0])).addArrayOfString(channels.toArray(new String[0]))
        .addDouble(limit.per().toMillis() / 1000.0).addInteger(limit.max());
    return pool.preparedQuery(RESERVE).execute(args).map(rows -> {
      Map<String, Boolean> allowed = new HashMap<>();
      for (Row r : rows) {
        allowed.put(key(r.getString(0), r.getString(1)), r.getInteger(2) <= limit.max());
      }
      Map<String, RecipientPlan> out = new LinkedHashMap<>(plans);
      for (Map.Entry<String, RecipientPlan> e : plans.entrySet()) {
        out.put(e.getKey(), decide(e.getKey(), e.getValue(), allowed));
      }
      return out;
    });
  }

  /** One recipient's plan once its reservations are known; its explanation notes each outcome. */
  private static RecipientPlan decide(String recipient, RecipientPlan plan, Map<String, Boolean> allowed) {
    List<RecipientPlan.Job> jobs = new ArrayList<>(plan.jobs().size());
    boolean changed = false;
    for (RecipientPlan.Job j : plan.jobs()) {
      if (j.throttle() == null) {
        jobs.add(j);
        continue;
      }
      changed = true;
      boolean within = allowed.getOrDefault(key(recipient, j.deliveryChannel()), false);
      RecipientPlan.Job now = within ? j : j.overThrottle();
      jobs.add(now);
      ObjectNode entry = plan.explain() == null ? null : (ObjectNode) plan.explain().get(j.deliveryChannel());
      if (entry != null) {
        ((ObjectNode) entry.get("throttle")).put("result", within ? "within" : "beyond");
        if (!within) {
          entry.put("decision", now.digested() ? "digested" : "skipped").put("rule", "type:throttle");
          if (now.digested()) {
            var rule = now.digest().rule();
            entry.putObject("digest").put("key", rule.key()).put("rule", rule.rule())
                .put("dueAt", rule.dueAt().toString()).put("maxItems", rule.maxItems());
          } else {
            entry.put("reason", "throttled");
          }
        }
      }
    }
    return changed ? new RecipientPlan(plan.live(), plan.title(), plan.message(), plan.explain(), jobs) : plan;
  }

  private static String key(String recipient, String channel) {
    return recipient + '\u0000' + channel;
  }
}
