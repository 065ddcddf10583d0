package dev.herald.notify;

import dev.herald.bus.Bus;
import dev.herald.bus.Publication;
import dev.herald.config.HeraldConfig;
import dev.herald.ops.HeraldMetrics;
import dev.herald.time.Scheduler;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-sends published notifications that require an ack (seed 002: "required acks with 3 retries at
 * 5 s") to the recipient's room until the client acks, reads or deletes them; after the last
 * re-send it gives up and writes {@code unacknowledged} to the delivery log. Clients that were away
 * get them from storage on reconnect, so this is a courtesy to connected ones, bounded in count
 * ({@link #MAX_TRACKED}) and indexed by recipient so that "read all" stops a user's re-sends
 * without scanning everyone's.
 *
 * <p>Timers come from the {@link Scheduler}; a test moves time instead of waiting five seconds.
 *
 * <p>Threads: any; the maps are guarded by this object, and nothing is published while holding it.
 */
final class AckResends {
  private static final Logger LOG = LoggerFactory.getLogger(AckResends.class);
  static final int MAX_TRACKED = 200_000;

  private final Bus bus;
  private final NotificationStore store;
  private final Scheduler scheduler;
  private final HeraldMetrics metrics;
  private final Duration interval;
  private final int maxResends;
  /** Every tracked notification by id; guarded by {@code this}. */
  private final Map<UUID, Awaiting> byId = new HashMap<>();
  /** The same, by tenant and recipient; guarded by {@code this}. */
  private final Map<Recipient, Map<UUID, Awaiting>> byRecipient = new HashMap<>();
  /** Guarded by {@code this}. */
  private boolean closed;
  private boolean warnedFull;

  private record Recipient(String tenant, String userId) {}

  /** A published notification waiting for its ack. */
  private static final class Awaiting {
    final Notification notification;
    final String json;
    /** Re-sends so far and the pending timer; guarded by the {@link AckResends}. */
    int resends;
    Scheduler.Timer timer;

    Awaiting(Notification notification, String json) {
      this.notification = notification;
      this.json = json;
    }
  }

  AckResends(Bus bus, NotificationStore store, Scheduler scheduler, HeraldMetrics metrics, HeraldConfig.Notify config) {
    this.bus = bus;
    this.store = store;
    this.scheduler = scheduler;
    this.metrics = metrics;
    this.interval = config.ackRetryInterval();
    this.maxResends = config.ackMaxRetries();
    metrics.gauge("herald_notifications_awaiting_ack", "Published notifications waiting for their ack on this node",
        this::size);
  }

  /** Starts re-sending {@code n} (already published as {@code json}) until it is acked. */
  void track(Notification n, String json) {
    if (!n.requiresAck() || maxResends <= 0) {
      return;
    }
    Awaiting a = new Awaiting(n, json);
    synchronized (this) {
      if (closed) {
        return;
      }
      if (byId.size() >= MAX_TRACKED) {
        if (!warnedFull) {
          warnedFull = true;
          LOG.warn("{} notifications await an ack on this node; more are not re-sent (clients get them on reconnect)",
              byId.size());
        }
        metrics.notificationNotTracked();
        return;
      }
      warnedFull = false;
      byId.put(n.id(), a);
      byRecipient.computeIfAbsent(new Recipient(n.tenant(), n.recipient()), r -> new LinkedHashMap<>()).put(n.id(), a);
      a.timer = scheduler.schedule(interval, () -> resend(a));
    }
  }

  /** Stops re-sending {@code id} (acked, read or deleted). */
  void stop(UUID id) {
    synchronized (this) {
      Awaiting a = byId.remove(id);
      if (a != null) {
        unindex(a);
        a.timer.cancel();
      }
    }
  }

  /** Stops every re-send to one user (read all): as many steps as that user has, not as all users have. */
  void stopAll(String tenant, String userId) {
    synchronized (this) {
      Map<UUID, Awaiting> mine = byRecipient.remove(new Recipient(tenant, userId));
      if (mine != null) {
        for (Awaiting a : mine.values()) {
          byId.remove(a.notification.id());
          a.timer.cancel();
        }
      }
    }
  }

  synchronized int size() {
    return byId.size();
  }

  void close() {
    synchronized (this) {
      closed = true;
      byId.values().forEach(a -> a.timer.cancel());
      byId.clear();
      byRecipient.clear();
    }
  }

  private void resend(Awaiting a) {
    Notification n = a.notification;
    boolean giveUp;
    synchronized (this) {
      if (closed || byId.get(n.id()) != a) {
        return;
      }
      giveUp = a.resends >= maxResends;
      if (giveUp) {
        byId.remove(n.id());
        unindex(a);
      } else {
        a.resends++;
        a.timer = scheduler.schedule(interval, () -> resend(a));
      }
    }
    if (giveUp) {
      metrics.notificationUnacknowledged();
      store.log(n.id(), n.tenant(), "in_app", "unacknowledged", "no ack after " + a.resends + " re-sends",
              a.resends + 1)
          .onFailure(e -> LOG.warn("delivery log for {}: {}", n.id(), e.toString()));
      return;
    }
    metrics.notificationResent();
    bus.publish(Publication.notification(n.tenant(), "user:" + n.recipient(), a.json,
        new Publication.Durable(n.id(), n.sequence(), false)));
  }

  /** Guarded by {@code this}. */
  private void unindex(Awaiting a) {
    Recipient r = new Recipient(a.notification.tenant(), a.notification.recipient());
    Map<UUID, Awaiting> mine = byRecipient.get(r);
    if (mine != null) {
      mine.remove(a.notification.id());
      if (mine.isEmpty()) {
        byRecipient.remove(r);
      }
    }
  }
}
