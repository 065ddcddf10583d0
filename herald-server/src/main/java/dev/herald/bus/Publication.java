package dev.herald.bus;

import java.util.List;
import java.util.UUID;

/**
 * One event published to one or more rooms of one tenant.
 *
 * @param tenant the tenant whose rooms receive it; rooms of other tenants never do
 * @param rooms room names inside that tenant
 * @param event the event name clients see ({@code analysis:progress}, {@code task.created}, …)
 * @param dataJson the event data as serialized JSON, encoded once and shared by every receiver
 * @param publishedAtNanos {@link System#nanoTime()} at publish, for the delivery latency metric
 * @param durable for a durable notification, which one it is; null for transient events
 * @param exceptUser a user whose sessions do not receive it (a typing relay skips the typist), or null
 */
public record Publication(
    String tenant, List<String> rooms, String event, String dataJson, long publishedAtNanos, Durable durable,
    String exceptUser) {
  public Publication {
    rooms = List.copyOf(rooms);
  }

  public Publication(String tenant, List<String> rooms, String event, String dataJson, long publishedAtNanos,
      Durable durable) {
    this(tenant, rooms, event, dataJson, publishedAtNanos, durable, null);
  }

  /** A transient event to the members of {@code rooms} but {@code exceptUser}'s sessions. */
  public static Publication toOthers(String tenant, List<String> rooms, String event, String dataJson,
      String exceptUser) {
    return new Publication(tenant, rooms, event, dataJson, System.nanoTime(), null, exceptUser);
  }

  /**
   * A durable notification as it travels: its id, its recipient's sequence (SSE ids carry it), and
   * whether writing it to a session delivers it ({@code false} for one that waits for an ack).
   */
  public record Durable(UUID id, long sequence, boolean deliveredByWrite) {}

  /** A transient event. */
  public static Publication event(String tenant, List<String> rooms, String event, String dataJson) {
    return new Publication(tenant, rooms, event, dataJson, System.nanoTime(), null);
  }

  /** Durable notification {@code durable} to the recipient's room, as the event {@code notification}. */
  public static Publication notification(String tenant, String room, String json, Durable durable) {
    return new Publication(tenant, List.of(room), "notification", json, System.nanoTime(), durable);
  }
}
