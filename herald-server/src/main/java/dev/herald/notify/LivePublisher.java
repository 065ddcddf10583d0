package dev.herald.notify;

import dev.herald.bus.Bus;
import dev.herald.bus.Publication;
import java.util.List;

/**
 * Puts committed notifications on the bus, after their commit and never before (seed 004: "emit
 * after the database mutation"): each live one to its recipient's room as the event
 * {@code notification}, and those that require an ack to {@link AckResends}. The gateway of every
 * node holding a session of the recipient delivers it and reports the write back
 * ({@link ClientInbox#written}); until then it stays {@code pending}.
 *
 * <p>Threads: any.
 */
final class LivePublisher {
  private final Bus bus;
  private final AckResends resends;

  LivePublisher(Bus bus, AckResends resends) {
    this.bus = bus;
    this.resends = resends;
  }

  /** Publishes the released, live ones of {@code rows}. */
  void publish(List<Notification> rows) {
    for (Notification n : rows) {
      if (n.sequence() != null && n.live()) {
        String json = n.toJson();
        bus.publish(Publication.notification(n.tenant(), "user:" + n.recipient(), json,
            new Publication.Durable(n.id(), n.sequence(), !n.requiresAck())));
        resends.track(n, json);
      }
    }
  }
}
