package dev.herald.delivery.email;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@link Addresses} from the {@code directory_user} table: what a service stored wins over what the
 * user's token claimed (contract part 2: "a token's email, name, locale claims fill gaps").
 *
 * <p>Threads: any; blocks the calling (virtual) thread on the pool for at most {@code timeout}.
 */
final class DirectoryAddresses implements Addresses {
  private static final String SQL = "select coalesce(email, claim_email), coalesce(name, claim_name), "
      + "coalesce(locale, claim_locale) from directory_user where tenant_id = $1 and user_id = $2";

  private final Pool pool;
  private final Duration timeout;

  DirectoryAddresses(Pool pool, Duration timeout) {
    this.pool = pool;
    this.timeout = timeout;
  }

  @Override
  public Address find(String tenant, String user) throws Exception {
    var rows = pool.preparedQuery(SQL).execute(Tuple.of(tenant, user))
        .toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    return new Address(r.getString(0), r.getString(1), r.getString(2));
  }
}
