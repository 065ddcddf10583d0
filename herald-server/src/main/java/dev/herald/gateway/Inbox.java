package dev.herald.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.auth.Identity;
import io.vertx.core.Future;
import java.util.List;

/**
 * What the transports ask of durable notifications on a client's behalf: acknowledging one, and
 * replaying what the client missed. Implemented by {@code dev.herald.notify}; the gateway knows
 * nothing else of storage. Futures fail with {@link Refusal} for a request the client got wrong.
 */
public interface Inbox {
  /**
   * Acknowledges {@code request.notificationId} for {@code user}; completes with the status
   * document {@code {notificationId, status, timestamp}} as JSON text.
   */
  Future<String> ack(Identity user, JsonNode request);

  /**
   * The user's notifications after {@code request.since} (a sequence number, or an ISO-8601 time),
   * oldest first, each as the JSON text of a {@code notification} event with its sequence.
   */
  Future<Replay> missed(Identity user, JsonNode request);

  /**
   * Merges {@code request} into the user's notification preferences; completes with the stored
   * document as JSON text. Fails with {@link Refusal} {@code bad_request} for an invalid document.
   */
  Future<String> updatePreferences(Identity user, JsonNode request);

  /** A replay: the notifications in order, the last sequence among them, and whether more follow. */
  record Replay(List<Missed> notifications, long lastSequence, boolean more) {}

  /** One replayed notification: its {@code notification} event's JSON text and its sequence. */
  record Missed(String json, long sequence) {}

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
    public Future<String> ack(Identity user, JsonNode request) {
      return Future.failedFuture(new Refusal("unavailable", "notifications are not stored on this server"));
    }

    @Override
    public Future<Replay> missed(Identity user, JsonNode request) {
      return Future.succeededFuture(new Replay(List.of(), 0, false));
    }

    @Override
    public Future<String> updatePreferences(Identity user, JsonNode request) {
      return Future.failedFuture(new Refusal("unavailable", "preferences are not stored on this server"));
    }
  };
}
