package dev.herald.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * What an operator sees of one notification ({@code GET /api/admin/notifications/{id}}): the row,
 * its explanation, its email and push jobs and its delivery log, read in three queries at once.
 */
public final class OperatorView {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Pool pool;

  OperatorView(Pool pool) {
    this.pool = pool;
  }

  /**
   * Notification {@code id} in {@code tenant} (any tenant when null): the row with its recipient
   * and explanation, its email and push jobs, and its delivery log. Null when there is no such
   * notification.
   */
  public Future<ObjectNode> notification(String tenant, UUID id) {
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
      ObjectNode out = JSON.createObjectNode();
      try {
        out.set("notification", JSON.readTree(n.toJson()));
        out.set("explain", r.getString("explain_json") == null ? null : JSON.readTree(r.getString("explain_json")));
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
}
