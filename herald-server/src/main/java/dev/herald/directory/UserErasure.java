package dev.herald.directory;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * GDPR Art. 17 (right to erasure): {@code DELETE /api/users/{userId}} removes everything Herald
 * holds about one user of one tenant in ONE transaction, so a failure leaves all of it in place.
 * Each statement below names what it erases; the order keeps every lookup ahead of the rows it reads.
 *
 * <p>Threads: any; asynchronous.
 */
final class UserErasure {
  /** Each statement takes {@code $1} tenant and {@code $2} user. */
  private static final List<String> STATEMENTS = List.of(
      // the delivery log of the user's notifications and of their jobs (before both are gone)
      "delete from delivery_log where tenant_id = $1 and (notification_id in (select id from notification "
          + "where tenant_id = $1 and recipient = $2) or job_id in (select id from delivery_job "
          + "where tenant_id = $1 and recipient = $2))",
      // the user's delivery jobs (those of their notifications would cascade; these include any without one)
      "delete from delivery_job where tenant_id = $1 and recipient = $2",
      // the notifications they received
      "delete from notification where tenant_id = $1 and recipient = $2",
      // their sequence: a user created again starts at 1
      "delete from recipient_sequence where tenant_id = $1 and recipient = $2",
      // their preferences and the locale of their last token
      "delete from notification_preference where tenant_id = $1 and user_id = $2",
      // the recorded answers of idempotent creates that name them (an answer lists its recipients);
      // a retry of such a create after the erasure creates again
      "delete from idempotency_key where tenant_id = $1 and response_body is not null "
          + "and strpos(response_body, '\"recipient\":' || to_json($2::text)::text) > 0",
      // their directory entry: addresses, name, locale, time zone, data, token claims
      "delete from directory_user where tenant_id = $1 and user_id = $2",
      // their digests (their send jobs went with the delivery jobs above) and throttle windows
      "delete from digest where tenant_id = $1 and recipient = $2",
      "delete from throttle_window where tenant_id = $1 and recipient = $2",
      // their browsers' push subscriptions: endpoints and keys
      "delete from push_subscription where tenant_id = $1 and user_id = $2",
      // when they were last seen (presence in memory ends with their sessions)
      "delete from user_presence where tenant_id = $1 and user_id = $2"
      // presence (a later issue): add its rows here, and forget the user's presence in memory beside
      // UserDirectory#erase's cache forgetting
  );

  private final Pool pool;

  UserErasure(Pool pool) {
    this.pool = pool;
  }

  /** Erases {@code user} of {@code tenant}; nothing stored is also success. */
  Future<Void> erase(String tenant, String user) {
    Tuple args = Tuple.of(tenant, user);
    return pool.withTransaction(tx -> run(tx, args, 0));
  }

  private static Future<Void> run(SqlClient tx, Tuple args, int next) {
    if (next == STATEMENTS.size()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(STATEMENTS.get(next)).execute(args).compose(rows -> run(tx, args, next + 1));
  }
}
