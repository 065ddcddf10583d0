package dev.herald.notify;

import dev.herald.config.HeraldConfig;
import dev.herald.ops.HeraldMetrics;
import dev.herald.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work that falls due with time: scheduled notifications whose {@code scheduledAt} passed are
 * released (sequenced and published), email and push jobs held through quiet hours are released
 * when the hours end, and expired idempotency keys are deleted. Each poll takes a batch with
 * {@code FOR UPDATE SKIP LOCKED}, so several nodes share the work, and repeats while full batches
 * come back; what fell due while Herald was down goes at the first poll.
 *
 * <p>Threads: polls run on the {@link Scheduler}'s threads; one poll of each kind at a time.
 */
final class Releases {
  private static final Logger LOG = LoggerFactory.getLogger(Releases.class);
  static final int BATCH = 500;
  private static final Duration KEY_EXPIRY_EVERY = Duration.ofMinutes(10);

  private final NotificationStore store;
  private final NotificationInserts inserts;
  private final IdempotencyKeys keys;
  private final LivePublisher publisher;
  private final Scheduler scheduler;
  private final Clock clock;
  private final HeraldMetrics metrics;
  private final Duration poll;
  private final AtomicBoolean releasingDue = new AtomicBoolean();
  private final AtomicBoolean releasingHeld = new AtomicBoolean();
  /** When keys were last expired; read and written by the poll only. */
  private volatile Instant keysExpiredAt = Instant.EPOCH;
  private volatile boolean closed;
  private Scheduler.Timer timer;

  Releases(NotificationStore store, NotificationInserts inserts, IdempotencyKeys keys, LivePublisher publisher, Scheduler scheduler, Clock clock,
      HeraldMetrics metrics, HeraldConfig.Notify config) {
    this.store = store;
    this.inserts = inserts;
    this.keys = keys;
    this.publisher = publisher;
    this.scheduler = scheduler;
    this.clock = clock;
    this.metrics = metrics;
    this.poll = config.schedulerPoll();
  }

  /** Starts polling, at once and then every {@code HERALD_SCHEDULER_POLL_MS}. */
  void start() {
    timer = scheduler.every(poll, this::poll);
  }

  void close() {
    closed = true;
    if (timer != null) {
      timer.cancel();
    }
  }

  private void poll() {
    releaseDue();
    releaseHeld();
    Instant now = clock.instant();
    if (Duration.between(keysExpiredAt, now).compareTo(KEY_EXPIRY_EVERY) > 0) {
      keysExpiredAt = now;
      keys.expire().onFailure(e -> LOG.warn("expiring idempotency keys: {}", e.toString()));
    }
  }

  /** Releases scheduled notifications that fell due; repeats while full batches come back. */
  private void releaseDue() {
    if (closed || !releasingDue.compareAndSet(false, true)) {
      return;
    }
    inserts.releaseDue(BATCH).onComplete(ar -> {
      releasingDue.set(false);
      if (ar.failed()) {
        LOG.warn("releasing scheduled notifications: {}", ar.cause().toString());
        return;
      }
      List<Notification> due = ar.result();
      if (!due.isEmpty()) {
        LOG.debug("released {} scheduled notifications", due.size());
        publisher.publish(due);
        metrics.notificationsScheduledReleased(due.size());
      }
      if (due.size() == BATCH) {
        releaseDue();
      }
    });
  }

  /** Releases held email and push jobs whose quiet hours ended; repeats while full batches come back. */
  private void releaseHeld() {
    if (closed || !releasingHeld.compareAndSet(false, true)) {
      return;
    }
    store.releaseHeld(OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), BATCH).onComplete(ar -> {
      releasingHeld.set(false);
      if (ar.failed()) {
        LOG.warn("releasing held deliveries: {}", ar.cause().toString());
        return;
      }
      metrics.deliveryJobsReleased(ar.result());
      if (ar.result() == BATCH) {
        releaseHeld();
      } else if (ar.result() > 0) {
        LOG.debug("released {} held deliveries", ar.result());
      }
    });
  }
}
