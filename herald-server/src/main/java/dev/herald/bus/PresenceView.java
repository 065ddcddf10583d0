package dev.herald.bus;

/**
 * Who is online on this node, and as what: the gateway's presence, as the API reads it
 * ({@code GET /api/presence/{userId}}) without knowing the gateway.
 *
 * <p>Implementations are thread-safe.
 */
public interface PresenceView {
  /**
   * A user's live presence: {@code status} ({@code ONLINE}, {@code AWAY}, {@code BUSY},
   * {@code OFFLINE}), the custom status (or null), since when it holds, and whether a session is
   * open (false during the grace period after the last one closed).
   */
  record Live(String status, String customStatus, java.time.Instant since, boolean connected) {}

  /** {@code user}'s live presence, or null when the user has no session here (nor one in grace). */
  Live live(String tenant, String user);

  /** A user in a room: who, and their presence. */
  record Member(String userId, String status, String customStatus, java.time.Instant since) {}

  /** The users with a session in {@code room} (a room of a presence kind), with their presence. */
  java.util.List<Member> room(String tenant, String room);
}
