package dev.herald.notify;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import dev.herald.vertx.VertxInternals;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Group commit for immediate creates: while {@link #maxInFlight} inserts are running, new creates
 * wait and then go to PostgreSQL together, one statement and one commit for all of them. Under
 * light load every create is its own batch and waits for nothing; under heavy load batches grow
 * to what arrived while the previous ones ran, so the commits per second stay bounded while the
 * creates per second grow.
 *
 * <p>A batch that PostgreSQL refuses for its data (SQLSTATE classes 22 and 23: something validation
 * did not catch) is retried one create at a time, so only the culprit fails.
 *
 * <p>Threads: any; the queue is guarded by this object. Each caller's future completes on the
 * caller's own context.
 */
final class CreateBatcher {
  /** Rows (notifications) per statement at most. */
  static final int MAX_ROWS = 2000;

  private final NotificationInserts store;
  private final int maxInFlight;
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();
  private int inFlight;

  private record Entry(NotificationInserts.Pending pending, Promise<List<Notification>> promise) {
    int rows() {
      return pending.request().recipients().size();
    }
  }

  CreateBatcher(NotificationInserts store, int maxInFlight) {
    this.store = store;
    this.maxInFlight = maxInFlight;
  }

  /** Inserts and releases {@code pending}; completes with its rows after the commit. */
  Future<List<Notification>> submit(NotificationInserts.Pending pending) {
    Promise<List<Notification>> promise = VertxInternals.promiseOnCurrentContext();
    synchronized (this) {
      queue.add(new Entry(pending, promise));
    }
    drain();
    return promise.future();
  }

  private void drain() {
    List<Entry> batch;
    synchronized (this) {
      if (inFlight >= maxInFlight || queue.isEmpty()) {
        return;
      }
      inFlight++;
      batch = new ArrayList<>();
      int rows = 0;
      while (!queue.isEmpty() && (batch.isEmpty() || rows + queue.peek().rows() <= MAX_ROWS)) {
        Entry e = queue.poll();
        rows += e.rows();
        batch.add(e);
      }
    }
    run(batch).onComplete(ar -> {
      synchronized (this) {
        inFlight--;
      }
      drain();
    });
  }

  private Future<Void> run(List<Entry> batch) {
    List<NotificationInserts.Pending> pending = new ArrayList<>(batch.size());
    for (Entry e : batch) {
      pending.add(e.pending);
    }
    return store.insertReleased(store.pool(), pending).transform(ar -> {
      if (ar.succeeded()) {
        Map<UUID, List<Notification>> byRequest = new HashMap<>();
        for (Notification n : ar.result()) {
          byRequest.computeIfAbsent(n.requestId(), k -> new ArrayList<>(1)).add(n);
        }
        for (Entry e : batch) {
          e.promise.complete(NotificationStore.byRecipient(byRequest.getOrDefault(e.pending.requestId(), List.of())));
        }
        return Future.succeededFuture();
      }
      if (batch.size() > 1 && isDataError(ar.cause())) {
        List<Future<Void>> singles = new ArrayList<>();
        for (Entry e : batch) {
          singles.add(run(List.of(e)));
        }
        return Future.join(singles).mapEmpty();
      }
      for (Entry e : batch) {
        e.promise.fail(ar.cause());
      }
      return Future.succeededFuture();
    });
  }

  private static boolean isDataError(Throwable e) {
    if (e instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null) {
      return pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23");
    }
    return false;
  }
}
