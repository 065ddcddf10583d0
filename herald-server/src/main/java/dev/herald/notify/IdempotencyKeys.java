package dev.herald.notify;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;

/**
 * {@code Idempotency-Key} for creates, the way Stripe, Novu and Knock treat it: the first request
 * with a key claims it; a repeat with the same body gets the first answer again; a repeat with a
 * different body is refused (422); a repeat while the first still runs is refused (409). The answer
 * is stored in the same transaction as the notifications, so a stored answer always means they
 * were committed. A claim left behind by a crashed node expires after {@link #STALE_SECONDS}.
 */
final class IdempotencyKeys {
  static final int STALE_SECONDS = 60;
  static final int MAX_KEY_LENGTH = 255;

  /** What to do with a request that carries a key. */
  sealed interface Claim {}

  /** The key is this request's: go on, and {@link #complete} it in the creating transaction. */
  record Claimed() implements Claim {}

  /** The same request was answered before: send this answer again. */
  record Answered(int status, String body) implements Claim {}

  /** The same key is being used by a request still in flight. */
  record InFlight() implements Claim {}

  /** The key was used with a different body. */
  record Mismatch() implements Claim {}

  private final Pool pool;

  IdempotencyKeys(Pool pool) {
    this.pool = pool;
  }

  static boolean isValid(String key) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  Future<Claim> claim(String tenant, String key, byte[] hash) {
    return pool.preparedQuery("insert into idempotency_key (tenant_id, key, request_hash, state) "
            + "values ($1, $2, $3, 'in_flight') on conflict (tenant_id, key) do update "
            + "set request_hash = excluded.request_hash, created_at = now() "
            + "where idempotency_key.state = 'in_flight' and idempotency_key.created_at < now() - make_interval(secs => $4) "
            + "returning 1")
        .execute(Tuple.of(tenant, key, io.vertx.core.buffer.Buffer.buffer(hash), STALE_SECONDS))
        .compose(inserted -> {
          if (inserted.rowCount() > 0) {
            return Future.succeededFuture(new Claimed());
          }
          return pool.preparedQuery("select request_hash, state, response_status, response_body from idempotency_key "
                  + "where tenant_id = $1 and key = $2")
              .execute(Tuple.of(tenant, key))
              .map(rows -> {
                if (!rows.iterator().hasNext()) {
                  return new InFlight(); // released between the two statements: the client retries
                }
                Row r = rows.iterator().next();
                if (!Arrays.equals(r.getBuffer("request_hash").getBytes(), hash)) {
                  return new Mismatch();
                }
                if (!"done".equals(r.getString("state"))) {
                  return new InFlight();
                }
                return new Answered(r.getInteger("response_status"), r.getString("response_body"));
              });
        });
  }

  /** Stores the answer; runs in the transaction that created the notifications. */
  Future<Void> complete(SqlClient tx, String tenant, String key, int status, String body) {
    return tx.preparedQuery("update idempotency_key set state = 'done', response_status = $3, response_body = $4 "
            + "where tenant_id = $1 and key = $2")
        .execute(Tuple.of(tenant, key, status, body)).mapEmpty();
  }

  /** Gives the key up after the request failed, so that a retry can run. */
  Future<Void> release(String tenant, String key) {
    return pool.preparedQuery("delete from idempotency_key where tenant_id = $1 and key = $2 and state = 'in_flight'")
        .execute(Tuple.of(tenant, key)).mapEmpty();
  }

  /** Forgets answers older than a day. */
  Future<Void> expire() {
    return pool.query("delete from idempotency_key where created_at < now() - interval '24 hours'").execute().mapEmpty();
  }
}
