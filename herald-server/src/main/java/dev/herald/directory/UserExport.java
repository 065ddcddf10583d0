package dev.herald.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;

/**
 * GDPR Art. 15 (right of access): {@code GET /api/users/{userId}/export}, everything Herald holds
 * about one user of one tenant as one JSON document, read in one snapshot. Stored rows are exported
 * whole, every column under its stored name ({@code read_at}, {@code seen_at}, {@code archived_at},
 * {@code explain}: the delivery decision stored with each notification), so a column added later
 * is exported without a change here.
 *
 * <pre>
 * {userId, tenant, exportedAt,
 *  user: the directory entry as GET /api/users/{userId} shows it, or null,
 *  directoryRow: the directory_user row (service values and token claims apart), or null,
 *  preferences: the notification_preference row, or null,
 *  sequence: the recipient_sequence row, or null,
 *  notifications: [notification rows, oldest first],
 *  deliveryJobs: [delivery_job rows of the user and of their notifications],
 *  deliveryLog: [delivery_log rows of those notifications and jobs],
 *  pushSubscriptions: [push_subscription rows],
 *  digests: [digest rows], throttleWindows: [throttle_window rows]}
 * </pre>
 *
 * <p>Threads: any; asynchronous.
 */
final class UserExport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MINE = "(select id from notification where tenant_id = $1 and recipient = $2)";
  private static final String JOBS = "(select id from delivery_job where tenant_id = $1 and (recipient = $2 "
      + "or notification_id in " + MINE + "))";
  private static final String EXPORT = "select json_build_object("
      + "'directoryRow', (select row_to_json(d) from directory_user d where tenant_id = $1 and user_id = $2), "
      + "'preferences', (select row_to_json(p) from notification_preference p where tenant_id = $1 and user_id = $2), "
      + "'sequence', (select row_to_json(s) from recipient_sequence s where tenant_id = $1 and recipient = $2), "
      + "'notifications', coalesce((select json_agg(row_to_json(n) order by n.id) from notification n "
      + "where tenant_id = $1 and recipient = $2), '[]'), "
      + "'deliveryJobs', coalesce((select json_agg(row_to_json(j) order by j.id) from delivery_job j "
      + "where j.id in " + JOBS + "), '[]'), "
      + "'deliveryLog', coalesce((select json_agg(row_to_json(l) order by l.id) from delivery_log l "
      + "where l.tenant_id = $1 and (l.notification_id in " + MINE + " or l.job_id in " + JOBS + ")), '[]'), "
      + "'pushSubscriptions', coalesce((select json_agg(row_to_json(s) order by s.created_at) from push_subscription s "
      + "where tenant_id = $1 and user_id = $2), '[]'), "
      + "'digests', coalesce((select json_agg(row_to_json(g) order by g.id) from digest g "
      + "where tenant_id = $1 and recipient = $2), '[]'), "
      + "'throttleWindows', coalesce((select json_agg(row_to_json(w) order by w.type, w.delivery_channel) "
      + "from throttle_window w where tenant_id = $1 and recipient = $2), '[]')"
      + ")::text";
  private static final String ENTRY = "select " + DirectoryEntry.COLUMNS + " from directory_user "
      + "where tenant_id = $1 and user_id = $2";

  private final Pool pool;

  UserExport(Pool pool) {
    this.pool = pool;
  }

  /** The export of {@code user} in {@code tenant} (with empty lists when Herald holds nothing). */
  Future<ObjectNode> export(String tenant, String user) {
    Tuple args = Tuple.of(tenant, user);
    // one transaction at REPEATABLE READ: the entry and the rows come from the same snapshot
    return pool.withTransaction(tx -> tx.query("set transaction isolation level repeatable read").execute()
        .compose(v -> tx.preparedQuery(ENTRY).execute(args))
        .compose(entry -> tx.preparedQuery(EXPORT).execute(args).map(rows -> {
          ObjectNode out = JSON.createObjectNode().put("userId", user).put("tenant", tenant)
              .put("exportedAt", dev.herald.store.Timestamps.iso(OffsetDateTime.now()));
          Row first = entry.size() == 0 ? null : entry.iterator().next();
          out.set("user", first == null ? JSON.nullNode() : new DirectoryEntry(first).toJson());
          out.setAll((ObjectNode) parse(rows.iterator().next().getString(0)));
          return out;
        })));
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("PostgreSQL built an export that is not JSON", e);
    }
  }
}
