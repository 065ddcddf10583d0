package dev.herald.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import java.util.UUID;

/** What an operator sees of one notification: the row, its explanation, its jobs and its delivery log. */
public final class OperatorView {
  private final NotificationStore store;

  OperatorView(NotificationStore store) {
    this.store = store;
  }

  /** Notification {@code id} in {@code tenant} (any tenant when null); null when there is none. */
  public Future<ObjectNode> notification(String tenant, UUID id) {
    return store.adminView(tenant, id);
  }
}
