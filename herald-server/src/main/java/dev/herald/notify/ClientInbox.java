package dev.herald.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Identity;
import dev.herald.bus.Bus;
import dev.herald.bus.Inbox;
import dev.herald.bus.Publication;
import dev.herald.directory.UserDirectory;
import dev.herald.ops.HeraldMetrics;
import dev.herald.preferences.Preferences;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.Future;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Durable notifications as connected clients reach them ({@link Inbox}, called by the gateway):
 * acks (delivered, re-sends stopped, {@code notificationStatus} to the user's sessions), missed
 * notifications from storage, preference updates, delivery receipts of written notifications, and
 * the locale and contact claims of a token that connected.
 *
 * <p>Threads: any event loop; database work is asynchronous.
 */
public final class ClientInbox implements Inbox {
  private final NotificationStore store;
  private final Preferences preferences;
  private final AckResends resends;
  private final DeliveryReceipts receipts;
  private final Bus bus;
  private final HeraldMetrics metrics;
  private final UserDirectory directory;

  ClientInbox(NotificationStore store, Preferences preferences, AckResends resends, DeliveryReceipts receipts, Bus bus,
      HeraldMetrics metrics, UserDirectory directory) {
    this.store = store;
    this.preferences = preferences;
    this.resends = resends;
    this.receipts = receipts;
    this.bus = bus;
    this.metrics = metrics;
    this.directory = directory;
  }

  @Override
  public Future<AckStatus> ack(Identity user, UUID id) {
    return store.acknowledge(user.tenantId(), user.userId(), id).compose(n -> {
      if (n == null) {
        return Future.failedFuture(new Refusal("not_found", "no notification " + id));
      }
      resends.stop(id);
      metrics.notificationAcked();
      String deliveredAt = Notification.iso(n.deliveredAt());
      ObjectNode status = JsonNodeFactory.instance.objectNode().put("notificationId", id.toString())
          .put("status", n.status()).put("channel", "inApp").put("timestamp", deliveredAt);
      bus.publish(Publication.event(user.tenantId(), List.of(user.userRoom()), "notificationStatus", status.toString()));
      return Future.succeededFuture(new AckStatus(id, n.status(), deliveredAt));
    });
  }

  @Override
  public Future<List<Missed>> missed(Identity user, long afterSequence, OffsetDateTime afterTime, int limit) {
    Future<List<Notification>> rows = afterTime == null
        ? store.after(user.tenantId(), user.userId(), afterSequence, limit + 1)
        : store.releasedAfter(user.tenantId(), user.userId(), afterTime, limit + 1);
    return rows.map(list -> {
      List<Missed> out = new ArrayList<>(list.size());
      for (Notification n : list) {
        out.add(new Missed(n.toJson(), n.sequence(), n.id(), !n.requiresAck() && "pending".equals(n.status())));
      }
      metrics.notificationsReplayed(Math.min(limit, out.size()));
      return out;
    });
  }

  @Override
  public Future<JsonNode> updatePreferences(Identity user, ObjectNode patch) {
    return preferences.merge(user, patch).<JsonNode>map(doc -> doc)
        .recover(e -> Future.failedFuture(e instanceof InvalidRequest invalid
            ? new Refusal("bad_request", invalid.getMessage()) : e));
  }

  @Override
  public void written(Identity user, UUID notificationId, String transport) {
    receipts.written(notificationId);
  }

  @Override
  public void connected(Identity user) {
    if (user.locale() != null) {
      preferences.rememberTokenLocale(user);
    }
    // contract part 2: a token's email, name, locale and zoneinfo claims fill the directory's gaps
    if (user.hasContactClaims()) {
      directory.rememberClaims(user);
    }
  }
}
