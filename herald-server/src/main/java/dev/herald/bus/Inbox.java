package dev.herald.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Identity;
import io.vertx.core.Future;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The port through which the gateway reaches durable notifications on a client's behalf, the other
 * direction of the seam whose first is {@link Bus}: what clients ask of the domain (ack, missed
 * notifications, preferences) and what the gateway tells it (a notification was written to a
 * session of its recipient; a user connected). {@code dev.herald.notify} implements it, the gateway
 * calls it; neither knows the other.
 *
 * <p>Futures fail with {@link Refusal} for a request the client got wrong; any other failure is
 * answered {@code unavailable}. Methods may be called on any event loop and must not block.
 */
public interface Inbox {
  /** Acknowledges {@code notificationId} for {@code user}: delivered (unless already read). */
  Future<AckStatus> ack(Identity user, UUID notificationId);

  /**
   * The user's notifications after sequence {@code afterSequence} (0: all), or released after
   * {@code afterTime} when it is not null; oldest first, at most {@code limit} + 1 (the extra one
   * tells the caller more follow).
   */
  Future<List<Missed>> missed(Identity user, long afterSequence, OffsetDateTime afterTime, int limit);

  /** Merges {@code patch} into the user's preferences; completes with the stored document. */
  Future<JsonNode> updatePreferences(Identity user, ObjectNode patch);

  /**
   * A session of {@code user} had notification {@code notificationId} written to its connection
   * ({@code transport}: {@code socketio}, {@code ws}, {@code sse}): it is delivered. May come for the
   * same notification from several sessions and nodes; the implementation records the first.
   */
  void written(Identity user, UUID notificationId, String transport);

  /** A session of {@code user} was registered (the token's claims, a locale say, may matter). */
  void connected(Identity user);

  /**
   * A notification's status after an ack, and when it was delivered, as clients see times
   * ({@code 2024-01-15T10:30:00.000Z}; null if never).
   */
  record AckStatus(UUID notificationId, String status, String deliveredAt) {}

  /**
   * One notification replayed from storage: its {@code notification} event's JSON text, its
   * sequence, its id, and whether writing it delivers it (not for those that wait for an ack).
   */
  record Missed(String json, long sequence, UUID id, boolean deliveredByWrite) {}

  /** A client request refused: {@code code} is machine-readable ({@code not_found}, {@code bad_request}, …). */
  final class Refusal extends RuntimeException {
    private final String code;

    public Refusal(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /** For a node without durable notifications (the conformance server). */
  Inbox NONE = new Inbox() {
    @Override
    public Future<AckStatus> ack(Identity user, UUID notificationId) {
      return Future.failedFuture(new Refusal("unavailable", "notifications are not stored on this server"));
    }

    @Override
    public Future<List<Missed>> missed(Identity user, long afterSequence, OffsetDateTime afterTime, int limit) {
      return Future.succeededFuture(List.of());
    }

    @Override
    public Future<JsonNode> updatePreferences(Identity user, ObjectNode patch) {
      return Future.failedFuture(new Refusal("unavailable", "preferences are not stored on this server"));
    }

    @Override
    public void written(Identity user, UUID notificationId, String transport) {
    }

    @Override
    public void connected(Identity user) {
    }
  };
}
