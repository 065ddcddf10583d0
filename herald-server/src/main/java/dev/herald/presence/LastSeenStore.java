package dev.herald.presence;

import dev.herald.bus.LastSeen;
import dev.herald.time.Scheduler;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code lastSeenAt} in PostgreSQL ({@code user_presence}, V11) without a round trip per
 * disconnect: records wait in memory (the latest per user) and go in one upsert per
 * {@link #FLUSH_EVERY}, and at {@link #flush} when the node stops. A read sees what waits as well
 * as what is stored. A record never moves a stored time backwards.
 *
 * <p>Threads: any; the pending map is concurrent, flushes run one at a time.
 */
public final class LastSeenStore implements LastSeen {
  static final Duration FLUSH_EVERY = Duration.ofSeconds(1);
  private static final String UPSERT = "insert into user_presence (tenant_id, user_id, last_seen_at) "
      + "select * from unnest($1::text[], $2::text[], $3::timestamptz[]) "
      + "on conflict (tenant_id, user_id) do update set last_seen_at = greatest(user_presence.last_seen_at, "
      + "excluded.last_seen_at)";

  private record Key(String tenant, String user) {}

  private final Pool pool;
  private final Map<Key, Instant> pending = new ConcurrentHashMap<>();
  private final Scheduler.Timer timer;
  /** The flush under way, so that flushes do not overlap; guarded by this. */
  private Future<Void> flushing = Future.succeededFuture();

  public LastSeenStore(Pool pool, Scheduler scheduler) {
    this.pool = pool;
    this.timer = scheduler.every(FLUSH_EVERY, this::flush);
  }

  @Override
  public void record(String tenant, String user, Instant at) {
    pending.merge(new Key(tenant, user), at, (a, b) -> a.isAfter(b) ? a : b);
  }

  @Override
  public Future<Instant> lastSeen(String tenant, String user) {
    Instant waiting = pending.get(new Key(tenant, user));
    return pool.preparedQuery("select last_seen_at from user_presence where tenant_id = $1 and user_id = $2")
        .execute(Tuple.of(tenant, user)).map(rows -> {
          Instant stored = rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime(0).toInstant();
          return stored == null || waiting != null && waiting.isAfter(stored) ? waiting : stored;
        });
  }

  /** Writes what waits, in one statement; completes when it is stored. */
  public synchronized Future<Void> flush() {
    flushing = flushing.transform(ignored -> write());
    return flushing;
  }

  /** Flushes and stops the periodic flush. */
  public Future<Void> close() {
    timer.cancel();
    return flush();
  }

  private Future<Void> write() {
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Key> keys = new ArrayList<>(pending.keySet());
    List<String> tenants = new ArrayList<>(keys.size());
    List<String> users = new ArrayList<>(keys.size());
    List<OffsetDateTime> times = new ArrayList<>(keys.size());
    List<Map.Entry<Key, Instant>> taken = new ArrayList<>(keys.size());
    for (Key k : keys) {
      Instant at = pending.remove(k);
      if (at != null) {
        tenants.add(k.tenant());
        users.add(k.user());
        times.add(at.atOffset(ZoneOffset.UTC));
        taken.add(Map.entry(k, at));
      }
    }
    return pool.preparedQuery(UPSERT).execute(Tuple.tuple().addArrayOfString(tenants.toArray(new String[0]))
            .addArrayOfString(users.toArray(new String[0])).addArrayOfOffsetDateTime(times.toArray(new OffsetDateTime[0])))
        .<Void>mapEmpty()
        .recover(e -> {
          // kept for the next flush (a newer record of the same user wins)
          taken.forEach(t -> record(t.getKey().tenant(), t.getKey().user(), t.getValue()));
          return Future.failedFuture(e);
        });
  }
}
