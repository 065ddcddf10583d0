package dev.herald.notify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.auth.Identity;
import dev.herald.bus.Bus;
import dev.herald.bus.Publication;
import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;

/**
 * A user's notifications as the HTTP API serves them: history pages, one notification, read, seen,
 * archive, delete, read all and the unread count. Read state reaches the user's other devices
 * ({@code notification:read}, {@code notification:all-read} through the bus), and a notification
 * read or deleted is no longer re-sent for its ack. Everything is scoped by tenant and recipient:
 * another user's notification is simply not found.
 *
 * <p>Threads: any event loop; database work is asynchronous.
 */
public final class UserNotifications {
  private final NotificationStore store;
  private final AckResends resends;
  private final Bus bus;

  UserNotifications(NotificationStore store, AckResends resends, Bus bus) {
    this.store = store;
    this.resends = resends;
    this.bus = bus;
  }

  public Future<History.Page> page(Identity user, History.Query query) {
    return store.page(user.tenantId(), user.userId(), query);
  }

  public Future<Notification> one(Identity user, UUID id) {
    return store.one(user.tenantId(), user.userId(), id);
  }

  /** Marks read; tells the user's sessions. Null when the user has no such notification. */
  public Future<Notification> markRead(Identity user, UUID id) {
    return store.markRead(user.tenantId(), user.userId(), id).onSuccess(n -> {
      if (n != null) {
        resends.stop(n.id());
        tell(user, "notification:read", JsonNodeFactory.instance.objectNode().put("notificationId", n.id().toString())
            .put("readAt", Notification.iso(n.readAt())).toString());
      }
    });
  }

  /** Marks all read; tells the user's sessions. The number newly read. */
  public Future<Long> markAllRead(Identity user) {
    return store.markAllRead(user.tenantId(), user.userId()).onSuccess(count -> {
      // read counts as seen by a person: no more re-sends of the user's unacknowledged ones
      resends.stopAll(user.tenantId(), user.userId());
      tell(user, "notification:all-read", JsonNodeFactory.instance.objectNode().put("count", count).toString());
    });
  }

  public Future<Long> unreadCount(Identity user) {
    return store.unreadCount(user.tenantId(), user.userId());
  }

  public Future<Notification> markSeen(Identity user, UUID id) {
    return store.markSeen(user.tenantId(), user.userId(), id);
  }

  public Future<Notification> archive(Identity user, UUID id, boolean archived) {
    return store.archive(user.tenantId(), user.userId(), id, archived);
  }

  public Future<Boolean> delete(Identity user, UUID id) {
    return store.delete(user.tenantId(), user.userId(), id).onSuccess(deleted -> {
      if (deleted) {
        resends.stop(id);
      }
    });
  }

  private void tell(Identity user, String event, String json) {
    bus.publish(Publication.event(user.tenantId(), List.of(user.userRoom()), event, json));
  }
}
