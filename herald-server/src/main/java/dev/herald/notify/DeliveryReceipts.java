package dev.herald.notify;

import dev.herald.ops.HeraldMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records that notifications were delivered in-app: a session of the recipient had them written
 * ({@code Inbox#written}). Honest state: a notification is {@code delivered} only after that, not
 * when it was queued or published, and only once (the first session of any node to write it; the
 * statement changes only rows still {@code pending}), with {@code inApp} added to its
 * {@code deliveredVia} and a row in the delivery log naming the transport.
 *
 * <p>Receipts are grouped like creates: while one statement runs, what arrives meanwhile waits and
 * goes in the next one, so under load the statements per second stay few while the receipts grow.
 * A statement that fails (PostgreSQL away) leaves its notifications {@code pending}; they are
 * counted in {@code herald_delivery_receipts_lost_total} and logged.
 *
 * <p>Threads: any; the queue is guarded by this object.
 */
final class DeliveryReceipts {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryReceipts.class);
  /** Receipts per statement at most. */
  static final int MAX_BATCH = 2000;

  private final NotificationStore store;
  private final HeraldMetrics metrics;
  /** Waiting receipts by notification id (the first transport wins); guarded by {@code this}. */
  private Map<UUID, String> waiting = new LinkedHashMap<>();
  /** Guarded by {@code this}. */
  private boolean running;

  DeliveryReceipts(NotificationStore store, HeraldMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
  }

  /** Notification {@code id} was written to a session over {@code transport}. */
  void written(UUID id, String transport) {
    synchronized (this) {
      waiting.putIfAbsent(id, transport);
      if (running) {
        return;
      }
      running = true;
    }
    next();
  }

  private void next() {
    Map<UUID, String> batch;
    synchronized (this) {
      if (waiting.isEmpty()) {
        running = false;
        return;
      }
      if (waiting.size() <= MAX_BATCH) {
        batch = waiting;
        waiting = new LinkedHashMap<>();
      } else {
        batch = new LinkedHashMap<>();
        var it = waiting.entrySet().iterator();
        while (batch.size() < MAX_BATCH) {
          var e = it.next();
          batch.put(e.getKey(), e.getValue());
          it.remove();
        }
      }
    }
    List<UUID> ids = new ArrayList<>(batch.keySet());
    List<String> transports = new ArrayList<>(batch.values());
    store.markWritten(ids, transports).onComplete(ar -> {
      if (ar.failed()) {
        metrics.deliveryReceiptsLost(ids.size());
        LOG.warn("{} in-app deliveries could not be recorded (they stay pending): {}", ids.size(), ar.cause().toString());
      } else {
        metrics.notificationsDelivered(ar.result());
      }
      next();
    });
  }
}
