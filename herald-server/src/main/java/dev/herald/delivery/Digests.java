package dev.herald.delivery;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The digests (V10) whose send jobs a claim took: closed, so that a later item opens the next
 * digest, then read with their items. Two statements, in this order: closing takes each digest's
 * row lock, which a create adding an item holds until its commit, so the read that follows (a new
 * snapshot) sees every item that joined. Items are the notifications still unread now, oldest
 * first, the first {@code max_items} of them with the total (contract: "a notification read before
 * its digest goes out is left out of it").
 *
 * <p>Threads: the engine's virtual threads; blocking.
 */
final class Digests {
  private static final String CLOSE = "update digest set state = 'closed', closed_at = coalesce(closed_at, now()) "
      + "where id = any($1) returning id, key, max_items, template";
  private static final String ITEMS = "select * from (select j.digest_id, n.id, n.type, n.title, n.message, n.channel, "
      + "n.priority, n.status, n.data::text as data, n.action_url, n.requires_ack, n.created_at, n.read_at, "
      + "n.delivered_via, count(*) over (partition by j.digest_id) as total, "
      + "row_number() over (partition by j.digest_id order by n.created_at, n.id) as rn "
      + "from delivery_job j join notification n on n.id = j.notification_id "
      + "where j.digest_id = any($1) and j.reason = 'digested' and n.read_at is null) i "
      + "join digest g on g.id = i.digest_id where i.rn <= g.max_items order by i.digest_id, i.rn";

  private Digests() {}

  /** Closes the digests {@code ids} and reads each with its unread items; a digest that is gone reads as empty. */
  static Map<UUID, DeliveryJob.Digest> closeAndRead(Pool pool, List<UUID> ids) {
    UUID[] array = ids.stream().distinct().toArray(UUID[]::new);
    RowSet<Row> closed = JobQueue.await(pool.preparedQuery(CLOSE).execute(Tuple.of(array)));
    RowSet<Row> items = JobQueue.await(pool.preparedQuery(ITEMS).execute(Tuple.of(array)));
    Map<UUID, List<DeliveryJob.Notification>> byDigest = new HashMap<>();
    Map<UUID, Integer> totals = new HashMap<>();
    for (Row r : items) {
      UUID digest = r.getUUID("digest_id");
      byDigest.computeIfAbsent(digest, k -> new ArrayList<>()).add(new DeliveryJob.Notification(r.getUUID("id"),
          r.getString("type"), r.getString("title"), r.getString("message"), r.getString("channel"),
          r.getString("priority"), r.getString("status"), r.getString("data"), r.getString("action_url"),
          Boolean.TRUE.equals(r.getBoolean("requires_ack")), r.getOffsetDateTime("created_at"),
          r.getOffsetDateTime("read_at"), List.of(r.getArrayOfStrings("delivered_via"))));
      totals.put(digest, r.getLong("total").intValue());
    }
    Map<UUID, DeliveryJob.Digest> out = new HashMap<>();
    for (Row r : closed) {
      UUID id = r.getUUID("id");
      out.put(id, new DeliveryJob.Digest(id, r.getString("key"), byDigest.getOrDefault(id, List.of()),
          totals.getOrDefault(id, 0), r.getInteger("max_items"), r.getString("template")));
    }
    for (UUID id : array) {
      out.putIfAbsent(id, new DeliveryJob.Digest(id, "", List.of(), 0, 1, null));
    }
    return out;
  }
}
